"""Consent (issue 6 item 8; DESIGN.md principle 3): who consented, when, how and to what,
recorded for a case and checked before the action it covers; a guardian's consent for a minor."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import case_at
from tests.factories import make_user
from xinqiao.cases import services_consent as services
from xinqiao.cases.models import Consent
from xinqiao.core.models import AccessLog

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def consent_form(**overrides) -> dict:
    data = {
        "purpose": "referral",
        "given_by": "guardian",
        "giver_name": "何妈妈",
        "given_on": TODAY().isoformat(),
        "how": "签字同意书",
    }
    data.update(overrides)
    return data


def record(cast, case, **overrides) -> Consent:
    data = {
        "purpose": "referral",
        "given_by": "guardian",
        "giver_name": "何妈妈",
        "given_on": TODAY(),
        "how": "电话",
    }
    data.update(overrides)
    return services.consent_record(actor=cast.counselor, case=case, **data)


def test_the_counselor_records_a_guardians_consent_for_the_case(cast, signed_in):
    case = case_at(cast, "active")
    response = signed_in(cast.counselor).post(
        reverse("cases:consent_create", args=[case.pk]), consent_form()
    )
    assert response.status_code == 302
    assert response.url == reverse("cases:consent_list", args=[case.pk])
    consent = Consent.objects.get()
    assert (consent.student, consent.case, consent.school) == (
        cast.student_record,
        case,
        cast.school,
    )
    assert (consent.purpose, consent.given_by, consent.giver_name, consent.how) == (
        "referral",
        "guardian",
        "何妈妈",
        "签字同意书",
    )
    assert consent.recorded_by == cast.counselor
    found = services.consent_in_force(student=cast.student_record, purpose="referral", case=case)
    assert found == consent


def test_recording_a_consent_sends_the_counselor_back_to_the_step_it_was_needed_for(
    cast, signed_in
):
    case = case_at(cast, "active")
    response = signed_in(cast.counselor).post(
        reverse("cases:consent_create", args=[case.pk]) + "?next=referral", consent_form()
    )
    assert response.url == reverse("cases:referral_create", args=[case.pk])


def test_a_minor_cannot_consent_alone_to_a_referral_or_to_teaching(cast):
    case = case_at(cast, "closed")
    for purpose in ("referral", "teaching", "research"):
        with pytest.raises(ValidationError, match="该学生为未成年人") as refused:
            record(cast, case, purpose=purpose, given_by="student", giver_name="何小明")
        assert list(refused.value.error_dict) == ["given_by"]
    assert not Consent.objects.exclude(purpose="counseling").exists()  # case_at records counseling


def test_the_refused_form_keeps_what_was_typed(cast, signed_in):
    case = case_at(cast, "active")
    response = signed_in(cast.counselor).post(
        reverse("cases:consent_create", args=[case.pk]),
        consent_form(given_by="student", giver_name="何小明", how="当面口头同意"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="何小明"' in page
    assert 'value="当面口头同意"' in page
    assert response.context["form"].errors["given_by"]
    assert not Consent.objects.exists()


def test_a_minor_may_consent_to_counseling_themselves(cast):
    case = case_at(cast, "active")
    consent = record(cast, case, purpose="counseling", given_by="student", giver_name="何小明")
    assert services.consent_in_force(student=cast.student_record, purpose="counseling") == consent


def test_a_student_of_age_may_consent_to_a_referral_themselves(cast):
    student = cast.student_record
    student.birth_date = TODAY().replace(year=TODAY().year - 19, day=1)
    student.save()
    case = case_at(cast, "active")
    consent = record(cast, case, given_by="student", giver_name="何小明")
    assert services.consent_in_force(student=student, purpose="referral", case=case) == consent


def test_a_consent_dated_in_the_future_is_refused(cast):
    case = case_at(cast, "active")
    before = Consent.objects.count()
    with pytest.raises(ValidationError, match="日期不能晚于今天"):
        record(cast, case, given_on=TODAY() + datetime.timedelta(days=1))
    assert Consent.objects.count() == before


def test_the_same_consent_sent_twice_is_stored_once(cast, signed_in):
    case = case_at(cast, "active")
    client = signed_in(cast.counselor)
    for _ in range(2):
        client.post(reverse("cases:consent_create", args=[case.pk]), consent_form())
    assert Consent.objects.count() == 1


def test_a_withdrawn_consent_no_longer_covers_anything(cast, signed_in):
    case = case_at(cast, "active")
    consent = record(cast, case)
    response = signed_in(cast.counselor).post(
        reverse("cases:consent_withdraw", args=[case.pk, consent.pk])
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY()
    assert services.consent_in_force(student=cast.student_record, purpose="referral") is None
    with pytest.raises(ValidationError, match="此知情同意已撤回"):
        services.consent_withdraw(actor=cast.counselor, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY()


def test_a_consent_for_another_case_does_not_cover_this_one(cast):
    first = case_at(cast, "active")
    second = case_at(cast, "active")
    record(cast, first)
    assert services.consent_in_force(student=cast.student_record, purpose="referral", case=first)
    assert (
        services.consent_in_force(student=cast.student_record, purpose="referral", case=second)
        is None
    )


def test_a_consent_recorded_for_the_student_covers_every_case(cast):
    case = case_at(cast, "active")
    general = Consent.objects.create(
        school=cast.school,
        student=cast.student_record,
        purpose="referral",
        given_by="guardian",
        giver_name="何妈妈",
        given_on=TODAY(),
    )
    assert (
        services.consent_in_force(student=cast.student_record, purpose="referral", case=case)
        == general
    )


def test_a_students_own_consent_recorded_elsewhere_does_not_cover_a_minors_referral(cast):
    case = case_at(cast, "active")
    Consent.objects.create(
        school=cast.school,
        student=cast.student_record,
        case=case,
        purpose="referral",
        given_by="student",
        giver_name="何小明",
        given_on=TODAY(),
    )
    assert (
        services.consent_in_force(student=cast.student_record, purpose="referral", case=case)
        is None
    )


def test_reading_the_consents_of_a_case_is_recorded(cast, signed_in):
    case = case_at(cast, "active")
    record(cast, case)
    response = signed_in(cast.director).get(reverse("cases:consent_list", args=[case.pk]))
    assert response.status_code == 200
    assert "何妈妈" in response.content.decode()
    assert AccessLog.objects.filter(
        action="read", actor_username="director", object_type="cases.Case", object_id=str(case.pk)
    ).exists()


def test_a_counselor_without_the_case_cannot_record_a_consent_and_the_attempt_is_recorded(
    cast, signed_in
):
    case = case_at(cast, "active")
    other = make_user("counselor", school=cast.school, username="counselor-two")
    path = reverse("cases:consent_create", args=[case.pk])
    response = signed_in(other).post(path, consent_form())
    assert response.status_code == 404
    assert not Consent.objects.exists()
    assert AccessLog.objects.filter(action="denied", actor_username="counselor-two", path=path)


def test_the_class_teacher_never_sees_the_consents(cast, signed_in):
    case = case_at(cast, "active")
    record(cast, case)
    response = signed_in(cast.class_teacher).get(reverse("cases:consent_list", args=[case.pk]))
    assert response.status_code == 404
