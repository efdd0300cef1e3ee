"""The crisis record of an alert in intervention (issue 14 item 5): who is with the student,
guardians contacted, the safety plan, the case opened or joined, follow-ups and closure."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import case_at
from xinqiao.cases.models import Case
from xinqiao.core.models import AccessLog, PendingStep
from xinqiao.crisis.models import Alert, CrisisRecord, Disclosure, GuardianContact, SafetyPlan
from xinqiao.crisis.services import alert_resolve, raise_alert
from xinqiao.crisis.services_intervention import intervention_close, intervention_open

pytestmark = pytest.mark.django_db

SAID = "告知母亲孩子今天在校表达了轻生想法，请她今天下午来校接孩子。"


def a_crisis_alert(cast, **kwargs) -> Alert:
    fields = {
        "actor": cast.duty,
        "school": cast.school,
        "risk_level": Alert.RiskLevel.CRISIS,
        "source": Alert.Source.DUTY_PHONE,
        "evidence": "电话里说今晚不想活了",
        "student": cast.student_record,
    }
    fields.update(kwargs)
    return raise_alert(**fields)


def record_of(cast, alert=None) -> CrisisRecord:
    return intervention_open(actor=cast.counselor, alert=alert or a_crisis_alert(cast))


def test_opening_the_record_puts_the_alert_into_intervention_opens_a_case_and_schedules_follow_ups(
    cast, signed_in
):
    alert = a_crisis_alert(cast)
    response = signed_in(cast.counselor).post(
        reverse("crisis:crisis_record", args=[alert.pk]), {"with_student": "班主任王老师陪同"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == Alert.State.IN_INTERVENTION
    assert list(alert.events.values_list("to_state", flat=True)) == [
        "raised",
        "acknowledged",
        "in_intervention",
    ]
    record = alert.crisis_record
    assert record.with_student == "班主任王老师陪同"
    case = Case.objects.get(student=cast.student_record)
    assert (record.case_id, record.case_number) == (case.pk, case.number)
    assert case.urgency == Case.Urgency.URGENT
    assert case.counselor_user_ids == {cast.counselor.pk}
    today = timezone.localdate()
    assert [(f.day, f.due_on) for f in record.follow_ups.all()] == [
        (day, today + datetime.timedelta(days=day)) for day in (1, 3, 7, 30)
    ]
    # Only the next follow-up waits for the counselor, with no name or detail in its title.
    (step,) = PendingStep.objects.filter(kind="crisis_follow_up")
    assert step.assignee == cast.counselor
    assert step.object_id == record.follow_ups.get(day=1).pk
    assert cast.student_record.name not in step.title


def test_opening_the_record_twice_gives_one_record_and_one_case(cast):
    alert = a_crisis_alert(cast)
    first = intervention_open(actor=cast.counselor, alert=alert)
    again = intervention_open(actor=cast.counselor, alert=alert)
    assert first.pk == again.pk
    assert Case.objects.filter(student=cast.student_record).count() == 1
    assert first.follow_ups.count() == 4


def test_a_crisis_alert_joins_the_case_already_open_for_the_student(cast):
    case = case_at(cast, "active")
    record = intervention_open(actor=cast.second_counselor, alert=a_crisis_alert(cast))
    assert record.case_id == case.pk
    assert Case.objects.filter(student=cast.student_record).count() == 1
    # Joining links the case; who works on it stays the director's choice.
    assert set(case.counselors.values_list("user_id", flat=True)) == {cast.counselor.pk}


def test_a_guardian_contact_writes_a_disclosure_entry(cast, signed_in):
    record = record_of(cast)
    response = signed_in(cast.counselor).post(
        reverse("crisis:guardian_contact_add", args=[record.alert_id]),
        {
            "guardian": "何妈妈（母亲）",
            "contacted_at": "2026-01-05T09:30",
            "said": SAID,
            "ground": "safety",
        },
    )
    assert response.status_code == 302
    contact = GuardianContact.objects.get(record=record)
    assert contact.said == SAID and contact.contacted_by == cast.counselor
    entry = contact.disclosure
    assert entry.recipient_kind == Disclosure.RecipientKind.GUARDIAN
    assert entry.recipient == "何妈妈（母亲）"
    assert entry.what == SAID
    assert entry.ground == Disclosure.Ground.SAFETY
    assert entry.decided_by == cast.counselor
    assert entry.student == cast.student_record and entry.alert_id == record.alert_id
    assert AccessLog.objects.filter(
        action="disclose", object_id=str(record.alert_id), basis__contains=f"#{entry.pk}"
    ).exists()


def test_a_guardian_contact_without_what_was_said_keeps_what_was_typed_and_saves_nothing(
    cast, signed_in
):
    record = record_of(cast)
    response = signed_in(cast.counselor).post(
        reverse("crisis:guardian_contact_add", args=[record.alert_id]),
        {"guardian": "何妈妈", "contacted_at": "2026-01-05T09:30", "said": "", "ground": "safety"},
    )
    assert response.status_code == 400
    assert "何妈妈" in response.content.decode()
    assert not GuardianContact.objects.exists()
    assert not Disclosure.objects.filter(recipient_kind="guardian").exists()


def test_the_safety_plan_is_saved_and_printed_and_the_print_is_recorded(cast, signed_in):
    record = record_of(cast)
    client = signed_in(cast.counselor)
    response = client.post(
        reverse("crisis:safety_plan_save", args=[record.alert_id]),
        {
            "warning_signs": "连续失眠，不愿说话",
            "coping_steps": "听音乐，给心理老师打电话",
            "people_places": "母亲；心理咨询室",
            "means_restriction": "家里的药品由母亲保管",
            "contacts": "心理热线 12356",
        },
    )
    assert response.status_code == 302
    assert SafetyPlan.objects.get(record=record).means_restriction == "家里的药品由母亲保管"
    printed = client.get(reverse("crisis:safety_plan_print", args=[record.alert_id]))
    assert printed.status_code == 200
    assert "心理热线 12356" in printed.content.decode()
    assert cast.counselor.display_name in printed.content.decode()  # who printed it
    assert AccessLog.objects.filter(action="print", object_type="crisis.CrisisRecord").exists()


def test_a_safety_plan_without_coping_steps_is_refused_and_keeps_what_was_typed(cast, signed_in):
    record = record_of(cast)
    response = signed_in(cast.counselor).post(
        reverse("crisis:safety_plan_save", args=[record.alert_id]),
        {"warning_signs": "连续失眠", "coping_steps": ""},
    )
    assert response.status_code == 400
    assert "连续失眠" in response.content.decode()
    assert not SafetyPlan.objects.exists()


def test_a_follow_up_recorded_clears_its_step_and_the_next_one_waits(cast, signed_in):
    record = record_of(cast)
    day_one = record.follow_ups.get(day=1)
    response = signed_in(cast.counselor).post(
        reverse("crisis:follow_up_done", args=[record.alert_id, day_one.pk]),
        {"note": "情绪平稳，已返校"},
    )
    assert response.status_code == 302
    day_one.refresh_from_db()
    assert day_one.done_by == cast.counselor and day_one.note == "情绪平稳，已返校"
    waiting = PendingStep.objects.filter(kind="crisis_follow_up")
    assert list(waiting.values_list("object_id", flat=True)) == [record.follow_ups.get(day=3).pk]


def test_closing_the_record_with_a_summary_resolves_the_alert_and_freezes_the_record(
    cast, signed_in
):
    record = record_of(cast)
    client = signed_in(cast.counselor)
    refused = client.post(reverse("crisis:crisis_record_close", args=[record.alert_id]), {})
    assert refused.status_code == 400
    assert Alert.objects.get(pk=record.alert_id).state == Alert.State.IN_INTERVENTION
    closed = client.post(
        reverse("crisis:crisis_record_close", args=[record.alert_id]),
        {"summary": "学生情绪稳定，已转入个案定期辅导。"},
    )
    assert closed.status_code == 302
    record.refresh_from_db()
    assert record.is_closed and record.closed_by == cast.counselor
    assert Alert.objects.get(pk=record.alert_id).state == Alert.State.RESOLVED
    late = client.post(
        reverse("crisis:guardian_contact_add", args=[record.alert_id]),
        {"guardian": "何妈妈", "contacted_at": "2026-01-05T09:30", "said": SAID},
    )
    assert late.status_code == 400
    assert not GuardianContact.objects.exists()


def test_the_duty_person_who_raised_the_alert_cannot_open_its_record(cast, signed_in):
    record = record_of(cast)
    response = signed_in(cast.duty).get(reverse("crisis:crisis_record", args=[record.alert_id]))
    assert response.status_code in (403, 404)
    assert "班主任" not in response.content.decode()
    assert AccessLog.objects.filter(action="denied", actor_username="duty").exists()


def test_the_record_page_shows_its_parts_to_the_counselor_and_is_recorded(cast, signed_in):
    record = record_of(cast)
    response = signed_in(cast.second_counselor).get(
        reverse("crisis:crisis_record", args=[record.alert_id])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert record.case_number in body
    assert reverse("cases:referral_create", args=[record.case_id]) in body
    assert AccessLog.objects.filter(
        action="read", object_type="crisis.CrisisRecord", actor_username="second_counselor"
    ).exists()


def test_a_record_whose_alert_was_resolved_from_its_own_page_still_closes(cast):
    record = record_of(cast)
    alert_resolve(actor=cast.director, alert=record.alert, note="已处理")
    closed = intervention_close(actor=cast.counselor, record=record, summary="学生已稳定。")
    assert closed.is_closed
    assert Alert.objects.get(pk=record.alert_id).state == Alert.State.RESOLVED


def test_telling_the_police_from_the_record_enters_the_register(cast, signed_in):
    record = record_of(cast)
    client = signed_in(cast.counselor)
    url = reverse("crisis:intervention_disclose", args=[record.alert_id])
    refused = client.post(
        url, {"recipient_kind": "counseling", "recipient": "x", "what": "y", "why": "z"}
    )
    assert refused.status_code == 400
    assert not Disclosure.objects.filter(recipient_kind="police").exists()
    response = client.post(
        url,
        {
            "recipient_kind": "police",
            "recipient": "派出所值班民警",
            "what": "学生晚上离家未归，可能有自伤风险",
            "why": "寻找学生",
            "ground": "safety",
        },
    )
    assert response.status_code == 302
    entry = Disclosure.objects.get(recipient_kind="police")
    assert (entry.alert_id, entry.decided_by, entry.ground) == (
        record.alert_id,
        cast.counselor,
        "safety",
    )
    page = client.get(reverse("crisis:crisis_record", args=[record.alert_id])).content.decode()
    assert "派出所值班民警" in page
