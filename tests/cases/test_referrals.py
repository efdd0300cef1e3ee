"""Referral (issue 6 item 7; seed 000 转介) and the school's directory of outside services: to
another counselor of the school or to a service outside it with the guardian's consent, the
letter as a Word document (an export, logged), and the follow-up of the outcome."""

from __future__ import annotations

import datetime
import io
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from docx import Document

from tests.cases.access_table_referrals import guardian_consent, outside_service
from tests.cases.factories import case_at
from tests.factories import SchoolFactory, make_user
from xinqiao.cases import services_consent, services_directory, services_referrals
from xinqiao.cases.models import CaseCounselor, OutsideService, Referral
from xinqiao.core.exports import DOCX_CONTENT_TYPE
from xinqiao.core.models import AccessLog, Notification

pytestmark = pytest.mark.django_db


def NEEDS_CONSENT() -> str:
    return gettext(
        "A referral outside the school needs the guardian's consent to the referral. "
        "Record the consent first, then refer the case."
    )


REASON = "持续两周失眠并有自伤念头，超出学校心理辅导范围，需要专科评估。"


def in_two_weeks() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=14)


def referral_form(**overrides) -> dict:
    data = {"kind": "external", "reason": REASON, "follow_up_due": in_two_weeks().isoformat()}
    data.update(overrides)
    return data


def refer_out(cast, case, service=None) -> Referral:
    return services_referrals.referral_create(
        actor=cast.counselor,
        case=case,
        kind="external",
        reason=REASON,
        follow_up_due=in_two_weeks(),
        to_service=service or outside_service(cast),
    )


@pytest.fixture
def counselor_two(cast):
    """A counselor of the same school who does not hold the case."""
    return make_user("counselor", school=cast.school, username="counselor-two")


# --- outside referral and consent -----------------------------------------------------------------
def test_an_outside_referral_without_the_guardians_consent_is_refused(cast, signed_in):
    case = case_at(cast, "active")
    service = outside_service(cast)
    with pytest.raises(ValidationError, match="转介到校外须征得家长对转介的同意") as refused:
        refer_out(cast, case, service)
    assert refused.value.messages == [NEEDS_CONSENT()]
    response = signed_in(cast.counselor).post(
        reverse("cases:referral_create", args=[case.pk]),
        referral_form(to_service=service.pk),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [NEEDS_CONSENT()]
    assert REASON in response.content.decode()  # what was typed is kept
    assert 'data-testid="no-referral-consent"' in response.content.decode()
    assert not Referral.objects.exists()


def test_a_withdrawn_consent_does_not_allow_an_outside_referral(cast):
    case = case_at(cast, "active")
    consent = guardian_consent(cast, case, "referral")
    services_consent.consent_withdraw(actor=cast.counselor, consent=consent)
    with pytest.raises(ValidationError, match="转介到校外须征得家长对转介的同意"):
        refer_out(cast, case)
    assert not Referral.objects.exists()


def test_with_the_guardians_consent_the_case_is_referred_outside(cast, signed_in):
    case = case_at(cast, "active")
    consent = guardian_consent(cast, case, "referral")
    service = outside_service(cast)
    response = signed_in(cast.counselor).post(
        reverse("cases:referral_create", args=[case.pk]),
        referral_form(to_service=service.pk),
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:referral_detail", args=[referral.pk])
    assert (referral.kind, referral.to_service, referral.consent) == ("external", service, consent)
    assert (referral.reason, referral.referred_by, referral.state) == (
        REASON,
        cast.counselor,
        "open",
    )
    assert referral.follow_up_due == in_two_weeks()
    told = Notification.objects.get(recipient=cast.director, url=response.url)
    assert case.number in told.title
    assert REASON not in told.title + told.body
    assert service.name not in told.title + told.body


def test_the_reason_is_not_stored_as_plain_text(cast):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM cases_referral WHERE id = %s", [referral.pk])
        stored = cursor.fetchone()[0]
    assert "失眠" not in stored


def test_a_service_out_of_use_or_of_another_school_cannot_be_chosen(cast):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    retired = services_directory.service_deactivate(
        actor=cast.counselor, service=outside_service(cast)
    )
    with pytest.raises(ValidationError, match="该机构不在本校的机构名录中"):
        refer_out(cast, case, retired)
    foreign = OutsideService.objects.create(
        school=cast.other_school, name="外校医院", kind=OutsideService.Kind.HOSPITAL
    )
    with pytest.raises(ValidationError, match="该机构不在本校的机构名录中"):
        refer_out(cast, case, foreign)
    assert not Referral.objects.exists()


def test_the_same_service_is_not_referred_to_twice_while_the_first_is_open(cast):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    refer_out(cast, case)
    with pytest.raises(ValidationError, match="此个案已转介到该机构"):
        refer_out(cast, case)
    assert Referral.objects.count() == 1


def test_a_closed_case_is_not_referred(cast):
    case = case_at(cast, "closed")
    guardian_consent(cast, case, "referral")
    with pytest.raises(ValidationError, match="只有尚未结案的个案才能转介"):
        refer_out(cast, case)
    assert not Referral.objects.exists()


# --- inside the school --------------------------------------------------------------------------
def test_an_internal_referral_adds_the_counselor_to_the_case_and_tells_them(
    cast, signed_in, counselor_two
):
    case = case_at(cast, "active")
    response = signed_in(cast.counselor).post(
        reverse("cases:referral_create", args=[case.pk]),
        referral_form(kind="internal", to_counselor=counselor_two.pk),
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.kind, referral.to_counselor, referral.consent) == (
        "internal",
        counselor_two,
        None,
    )
    seats = {c.user_id: c.is_lead for c in CaseCounselor.objects.filter(case=case)}
    assert seats == {cast.counselor.pk: True, counselor_two.pk: False}
    told = Notification.objects.get(recipient=counselor_two)
    assert case.number in told.title and REASON not in told.title + told.body
    assert told.url == reverse("cases:case_detail", args=[case.pk])
    # The receiving counselor now reads the case.
    assert signed_in(counselor_two).get(told.url).status_code == 200


def test_an_internal_referral_may_hand_over_the_lead(cast, counselor_two):
    case = case_at(cast, "active")
    services_referrals.referral_create(
        actor=cast.counselor,
        case=case,
        kind="internal",
        reason=REASON,
        follow_up_due=in_two_weeks(),
        to_counselor=counselor_two,
        hand_over_lead=True,
    )
    lead = CaseCounselor.objects.get(case=case, is_lead=True)
    assert lead.user == counselor_two
    assert CaseCounselor.objects.filter(case=case, user=cast.counselor).exists()


def test_only_counseling_staff_of_the_school_take_an_internal_referral(cast):
    case = case_at(cast, "active")
    refusals = {
        cast.class_teacher: "不是本校的心理辅导人员",
        cast.outsider: "不是本校的心理辅导人员",
        cast.counselor: "已是此个案的心理教师",
    }
    for person, message in refusals.items():
        with pytest.raises(ValidationError, match=message) as refused:
            services_referrals.referral_create(
                actor=cast.counselor,
                case=case,
                kind="internal",
                reason=REASON,
                follow_up_due=in_two_weeks(),
                to_counselor=person,
            )
        assert list(refused.value.error_dict) == ["to_counselor"]
    assert not Referral.objects.exists()
    assert list(CaseCounselor.objects.filter(case=case).values_list("user_id", flat=True)) == [
        cast.counselor.pk
    ]


def test_the_case_page_shows_its_referrals_and_consents_and_where_to_add_them(cast, signed_in):
    """The part of the case page that loads when the reader reaches it."""
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    page = signed_in(cast.counselor).get(reverse("cases:case_links_part", args=[case.pk]))
    content = page.content.decode()
    assert reverse("cases:referral_detail", args=[referral.pk]) in content
    assert reverse("cases:referral_create", args=[case.pk]) in content
    assert reverse("cases:consent_list", args=[case.pk]) in content
    assert cast.guardian_record.name in content


# --- the letter -------------------------------------------------------------------------------------
def test_the_letter_is_a_word_document_naming_the_student_and_its_download_is_logged(
    cast, signed_in
):
    student = cast.student_record
    student.birth_date = datetime.date(2013, 5, 6)
    student.save()
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    path = reverse("cases:referral_letter", args=[referral.pk])
    response = signed_in(cast.counselor).get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert student.name not in unquote(response["Content-Disposition"])
    assert f"转介函-{case.number}-" in unquote(response["Content-Disposition"])
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    for expected in (student.name, str(student.school_class), "2013-05-06", "市精神卫生中心"):
        assert expected in cells
    for expected in ("解放路 100 号", "0571-88888888", cast.counselor.display_name):
        assert expected in cells
    assert REASON in text and cast.school.name in text
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith(gettext("Confidential"))
    header = document.sections[0].header.paragraphs[0].text
    assert cast.counselor.display_name in header and "不得外借" in header
    export = AccessLog.objects.get(action="export", path=path)
    assert (export.actor_username, export.object_type, export.object_id) == (
        "counselor",
        "cases.Case",
        str(case.pk),
    )
    assert export.school_id == cast.school.pk


def test_an_internal_referral_has_no_letter(cast, signed_in, counselor_two):
    case = case_at(cast, "active")
    referral = services_referrals.referral_create(
        actor=cast.counselor,
        case=case,
        kind="internal",
        reason=REASON,
        follow_up_due=in_two_weeks(),
        to_counselor=counselor_two,
    )
    response = signed_in(cast.counselor).get(reverse("cases:referral_letter", args=[referral.pk]))
    assert response.status_code == 404


def test_a_counselor_without_the_case_gets_404_and_the_refusal_is_logged(
    cast, signed_in, counselor_two
):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    client = signed_in(counselor_two)
    for name in ("referral_detail", "referral_letter"):
        path = reverse(f"cases:{name}", args=[referral.pk])
        response = client.get(path)
        assert response.status_code == 404
        refused = AccessLog.objects.get(actor_username="counselor-two", path=path)
        # The kernel names what was asked for: the referral (of the case).
        assert (refused.action, refused.object_type, refused.object_id) == (
            "denied",
            "cases.Referral",
            str(referral.pk),
        )
        assert REASON not in response.content.decode()
    assert not AccessLog.objects.filter(actor_username="counselor-two", action="export").exists()


def test_reading_a_referral_is_recorded(cast, signed_in):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    response = signed_in(cast.director).get(reverse("cases:referral_detail", args=[referral.pk]))
    assert response.status_code == 200
    assert REASON in response.content.decode()
    assert AccessLog.objects.filter(action="read", actor_username="director").exists()


# --- follow-up --------------------------------------------------------------------------------------
def test_the_follow_up_list_marks_overdue_referrals_and_shows_only_readable_cases(
    cast, signed_in, counselor_two
):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    late = refer_out(cast, case)
    Referral.objects.filter(pk=late.pk).update(
        follow_up_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    on_time = refer_out(cast, case, outside_service(cast, "社区心理服务站"))
    response = signed_in(cast.counselor).get(reverse("cases:referral_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="referral-{late.pk}" data-overdue="yes"' in page
    assert f'data-testid="referral-{on_time.pk}" data-overdue="no"' in page
    assert [r.pk for r in response.context["page"]] == [late.pk, on_time.pk]
    assert response.context["overdue_count"] == 1
    overdue_only = signed_in(cast.counselor).get(reverse("cases:referral_list") + "?overdue=1")
    assert [r.pk for r in overdue_only.context["page"]] == [late.pk]
    assert REASON not in page  # the list names the case, not why
    others = signed_in(counselor_two).get(reverse("cases:referral_list"))
    assert list(others.context["page"]) == []


def test_recording_the_outcome_takes_the_referral_off_the_follow_up_list(cast, signed_in):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    client = signed_in(cast.counselor)
    response = client.post(
        reverse("cases:referral_outcome", args=[referral.pk]), {"outcome": "已就诊，两周后复查"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.state, referral.outcome) == ("done", "已就诊，两周后复查")
    assert referral.outcome_at is not None
    assert list(client.get(reverse("cases:referral_list")).context["page"]) == []


def test_an_empty_outcome_is_refused_and_the_page_comes_back(cast, signed_in):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    response = signed_in(cast.counselor).post(
        reverse("cases:referral_outcome", args=[referral.pk]), {"outcome": " "}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.state == "open"


def test_a_cancelled_referral_takes_no_outcome(cast, signed_in):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = refer_out(cast, case)
    client = signed_in(cast.counselor)
    client.post(reverse("cases:referral_cancel", args=[referral.pk]), {"note": "家长改约"})
    referral.refresh_from_db()
    assert referral.state == "cancelled"
    with pytest.raises(ValidationError, match="此转介已结束"):
        services_referrals.referral_record_outcome(
            actor=cast.counselor, referral=referral, outcome="x"
        )
    referral.refresh_from_db()
    assert (referral.state, referral.outcome) == ("cancelled", "家长改约")


# --- the directory of outside services ------------------------------------------------------------
def service_form(**overrides) -> dict:
    data = {
        "name": "市第一人民医院心理科",
        "kind": "hospital",
        "address": "人民路 1 号",
        "phone": "0571-12345678",
        "handles": "青少年情绪障碍",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_counselor_adds_a_service_and_finds_it_by_name_and_kind(cast, signed_in):
    client = signed_in(cast.counselor)
    response = client.post(reverse("cases:service_create"), service_form())
    assert response.status_code == 302
    client.post(
        reverse("cases:service_create"), service_form(name="阳光社区服务中心", kind="community")
    )
    service = OutsideService.objects.get(name="市第一人民医院心理科")
    assert (service.school, service.kind, service.phone) == (
        cast.school,
        "hospital",
        "0571-12345678",
    )
    by_kind = client.get(reverse("cases:service_list") + "?kind=community")
    assert [s.name for s in by_kind.context["page"]] == ["阳光社区服务中心"]
    by_name = client.get(reverse("cases:service_list") + "?q=人民医院")
    assert [s.name for s in by_name.context["page"]] == ["市第一人民医院心理科"]


def test_a_second_service_of_the_same_name_is_refused_and_the_form_keeps_what_was_typed(
    cast, signed_in
):
    client = signed_in(cast.counselor)
    client.post(reverse("cases:service_create"), service_form())
    response = client.post(reverse("cases:service_create"), service_form(address="新地址 9 号"))
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert 'value="新地址 9 号"' in response.content.decode()
    assert OutsideService.objects.count() == 1


def test_editing_and_deactivating_a_service(cast, signed_in):
    service = outside_service(cast)
    client = signed_in(cast.director)
    response = client.post(
        reverse("cases:service_edit", args=[service.pk]),
        service_form(name=service.name, phone="0571-00000000"),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.phone == "0571-00000000"
    client.post(reverse("cases:service_deactivate", args=[service.pk]))
    service.refresh_from_db()
    assert not service.is_active
    assert list(client.get(reverse("cases:service_list")).context["page"]) == []
    everything = client.get(reverse("cases:service_list") + "?all=1")
    assert [s.pk for s in everything.context["page"]] == [service.pk]
    case = case_at(cast, "active")
    form = client.get(reverse("cases:referral_create", args=[case.pk])).context["form"]
    assert service not in form.fields["to_service"].queryset


def test_a_counselor_of_another_school_cannot_edit_the_directory(cast, signed_in):
    service = outside_service(cast)
    path = reverse("cases:service_edit", args=[service.pk])
    response = signed_in(cast.outsider).get(path)
    assert response.status_code == 404
    assert AccessLog.objects.filter(action="denied", actor_username="outsider", path=path)
    listed = signed_in(cast.outsider).get(reverse("cases:service_list"))
    assert list(listed.context["page"]) == []


def test_the_directory_is_the_schools_own(cast):
    other = SchoolFactory(name="第三中学", code="school-three")
    services_directory.service_save(
        actor=cast.counselor, school=other, name="同名机构", kind="clinic"
    )
    services_directory.service_save(
        actor=cast.counselor, school=cast.school, name="同名机构", kind="clinic"
    )
    assert OutsideService.objects.filter(name="同名机构").count() == 2
