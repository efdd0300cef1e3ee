"""Counseling rests on the student's informed, voluntary agreement (seed 004: 心理辅导要在学生
知情自愿的基础上进行): an individual or group session is recorded only with that agreement in
force for the case, checked by cases.services_records.session_record."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.cases.factories import case_at
from xinqiao.cases import services_consent, services_records
from xinqiao.cases.models import Consent, SessionRecord

pytestmark = pytest.mark.django_db

PROBLEM = "考试前心慌，睡不着"


def session(cast, case, kind=SessionRecord.Kind.INDIVIDUAL, **extra):
    return services_records.session_record(
        actor=cast.counselor,
        case=case,
        kind=kind,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        place="心理咨询室",
        problem=PROBLEM,
        measures_taken="放松训练",
        **extra,
    )


def form_data(**overrides) -> dict:
    held_at = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "submission_key": "k-" + str(len(overrides)),
        "kind": "individual",
        "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
        "place": "心理咨询室",
        "problem": PROBLEM,
        "measures_taken": "放松训练",
        **overrides,
    }


def test_a_session_without_the_students_agreement_is_refused_and_nothing_is_saved(cast):
    case = case_at(cast, "active")
    with pytest.raises(ValidationError, match="辅导要在学生知情、自愿的基础上进行") as refused:
        session(cast, case)
    assert "student_agreed" in refused.value.message_dict
    assert not SessionRecord.objects.filter(case=case).exists()
    assert not Consent.objects.filter(case=case).exists()


def test_the_counselor_confirming_the_agreement_records_it_with_the_first_session(cast):
    case = case_at(cast, "active")
    first = session(cast, case, student_agreed=True)
    consent = Consent.objects.get(case=case, purpose=Consent.Purpose.COUNSELING)
    assert consent.given_by == Consent.GivenBy.STUDENT
    assert consent.giver_name == cast.student_record.name
    assert consent.given_on == timezone.localdate(first.held_at)
    assert consent.recorded_by == cast.counselor
    second = session(cast, case)  # the agreement is in force: not asked again
    assert second.case == case
    assert Consent.objects.filter(case=case).count() == 1


def test_contacts_that_are_not_counseling_need_no_agreement(cast):
    case = case_at(cast, "active")
    for kind in (SessionRecord.Kind.GUARDIAN, SessionRecord.Kind.TEACHER, SessionRecord.Kind.PHONE):
        assert session(cast, case, kind=kind).kind == kind
    with pytest.raises(ValidationError, match="辅导要在学生知情、自愿的基础上进行"):
        session(cast, case, kind=SessionRecord.Kind.GROUP)
    assert not SessionRecord.objects.filter(case=case, kind=SessionRecord.Kind.GROUP).exists()
    assert not Consent.objects.filter(case=case).exists()


def test_a_guardians_consent_to_counseling_covers_the_sessions(cast):
    case = case_at(cast, "active")
    services_consent.consent_record(
        actor=cast.counselor,
        case=case,
        purpose=Consent.Purpose.COUNSELING,
        given_by=Consent.GivenBy.GUARDIAN,
        giver_name="学生家长",
        given_on=timezone.localdate(),
    )
    assert session(cast, case).problem == PROBLEM


def test_after_the_agreement_is_withdrawn_counseling_stops(cast):
    case = case_at(cast, "active")
    session(cast, case, student_agreed=True)
    consent = Consent.objects.get(case=case, purpose=Consent.Purpose.COUNSELING)
    services_consent.consent_withdraw(actor=cast.counselor, consent=consent)
    with pytest.raises(ValidationError, match="辅导要在学生知情、自愿的基础上进行"):
        session(cast, case)
    assert SessionRecord.objects.filter(case=case).count() == 1


def test_the_form_asks_for_the_agreement_and_keeps_what_was_typed(client, cast, signed_in):
    case = case_at(cast, "active")
    signed_in(cast.counselor)
    path = f"/cases/{case.pk}/records/new/"
    assert "student_agreed" in client.get(path).context["form"].fields

    refused = client.post(path, form_data())
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "知情自愿" in page
    assert "辅导要在学生知情、自愿的基础上进行" in page
    assert PROBLEM in page
    assert not SessionRecord.objects.filter(case=case).exists()

    assert client.post(path, form_data(student_agreed="on")).status_code == 302
    assert SessionRecord.objects.filter(case=case).count() == 1
    assert "student_agreed" not in client.get(path).context["form"].fields


def test_the_api_refuses_a_session_without_the_agreement(cast, signed_in):
    case = case_at(cast, "active")
    api = signed_in(cast.counselor)
    path = f"/api/cases/cases/{case.pk}/records"
    body = {
        "kind": "individual",
        "held_at": (timezone.localtime() - datetime.timedelta(hours=1)).isoformat(),
        "place": "心理咨询室",
        "problem": PROBLEM,
        "measures_taken": "放松训练",
    }
    refused = api.post(path, body, content_type="application/json")
    assert refused.status_code == 400
    assert not SessionRecord.objects.filter(case=case).exists()
    agreed = api.post(path, {**body, "student_agreed": True}, content_type="application/json")
    assert agreed.status_code == 201
    assert Consent.objects.filter(case=case, purpose=Consent.Purpose.COUNSELING).exists()
