"""Phone and walk-in intake: recorded quickly and once, turned into an appointment or an alert;
duty staff see their own intakes and never case material."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.rooms.appointment_factories import make_intake, make_slot
from xinqiao.core.models import AccessLog, Notification
from xinqiao.crisis.models import Alert
from xinqiao.rooms.intake.services import intake_record, intake_to_alert
from xinqiao.rooms.models import Appointment, Intake

pytestmark = pytest.mark.django_db


def call(**overrides) -> dict:
    data = {
        "channel": "phone",
        "caller_kind": "guardian",
        "caller_name": "何妈妈",
        "contact": "13900000001",
        "student_number": "2026070101",
        "concern": "孩子最近睡不好，不想上学",
        "urgency": "normal",
        "submission_key": "key-one",
    }
    data.update(overrides)
    return data


def test_the_duty_person_records_a_call_and_a_double_submission_stores_one_intake(cast, signed_in):
    client = signed_in(cast.duty)
    form = client.get(reverse("rooms:intake_create"))
    assert 'name="submission_key"' in form.content.decode()
    first = client.post(reverse("rooms:intake_create"), call())
    second = client.post(reverse("rooms:intake_create"), call())
    intake = Intake.objects.get()
    assert first.url == second.url == reverse("rooms:intake_detail", args=[intake.pk])
    assert (intake.received_by, intake.student) == (cast.duty, cast.student_record)
    assert intake.concern == "孩子最近睡不好，不想上学"
    assert (intake.channel, intake.caller_kind, intake.outcome) == ("phone", "guardian", "open")


def test_each_form_gets_its_own_one_time_key(cast, signed_in):
    client = signed_in(cast.duty)
    keys = {
        client.get(reverse("rooms:intake_create")).context["form"].initial["submission_key"]
        for _ in range(2)
    }
    assert len(keys) == 2


def test_a_bad_intake_is_refused_and_keeps_what_was_typed(cast, signed_in):
    response = signed_in(cast.duty).post(
        reverse("rooms:intake_create"), call(concern="", student_number="999")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="何妈妈"' in body
    assert 'value="13900000001"' in body
    assert not Intake.objects.exists()


def test_the_service_stores_a_submission_once(cast):
    first = intake_record(
        actor=cast.duty,
        school=cast.school,
        channel="walk_in",
        caller_kind="student",
        concern="想找老师聊聊",
        submission_key="same",
    )
    again = intake_record(
        actor=cast.duty,
        school=cast.school,
        channel="walk_in",
        caller_kind="student",
        concern="想找老师聊聊",
        submission_key="same",
    )
    assert first.pk == again.pk
    assert Intake.objects.count() == 1


def test_the_duty_person_books_an_appointment_for_the_caller(cast, signed_in):
    intake = make_intake(cast.school, cast.duty, student=cast.student_record)
    slot = make_slot(cast.school, cast.counselor)
    client = signed_in(cast.duty)
    page = client.get(reverse("rooms:intake_book", args=[intake.pk]))
    assert f'data-testid="book-slot-{slot.pk}"' in page.content.decode()
    response = client.post(
        reverse("rooms:intake_book", args=[intake.pk]), {"slot": slot.pk, "topic": "family"}
    )
    appointment = Appointment.objects.get()
    assert response.url == reverse("rooms:appointment_detail", args=[appointment.pk])
    assert (appointment.for_kind, appointment.person_name) == ("guardian", "何妈妈")
    assert (appointment.contact, appointment.booked_by) == ("13900000001", cast.duty)
    assert appointment.intake == intake
    intake.refresh_from_db()
    assert intake.outcome == "appointment"
    assert Notification.objects.filter(recipient=cast.counselor).exists()


def test_an_urgent_call_becomes_an_alert_that_tells_the_counseling_staff_at_once(cast, signed_in):
    intake = make_intake(
        cast.school,
        cast.duty,
        caller_kind="student",
        student=cast.student_record,
        urgency="urgent",
        concern="说不想活了",
    )
    client = signed_in(cast.duty)
    response = client.post(
        reverse("rooms:intake_alert", args=[intake.pk]),
        {"risk_level": "crisis", "what_was_said": "在天台上"},
    )
    alert = Alert.objects.get()
    assert response.url == reverse("crisis:alert_detail", args=[alert.pk])
    assert (alert.source, alert.risk_level, alert.student) == (
        "duty_phone",
        "crisis",
        cast.student_record,
    )
    assert (alert.source_type, alert.source_id) == ("rooms.Intake", str(intake.pk))
    assert "说不想活了" in alert.evidence and "在天台上" in alert.evidence
    assert alert.raised_by == cast.duty
    told = set(
        Notification.objects.filter(level="urgent").values_list("recipient__username", flat=True)
    )
    # A student without a case reaches every counselor of the school (and never another
    # school's); a 危机 also the principal and the vice principal, and the class teacher is
    # told what to do (crisis/escalation.py).
    assert told == {
        "director",
        "counselor",
        "second_counselor",
        "principal",
        "vice_principal",
        "class_teacher",
    }
    intake.refresh_from_db()
    assert intake.outcome == "alert"
    # The duty person follows the alert but never reads what was said.
    followed = client.get(response.url)
    assert followed.status_code == 200
    assert "在天台上" not in followed.content.decode()
    # The counselor reads it, with the way back to the intake it came from.
    handled = signed_in(cast.counselor).get(response.url).content.decode()
    assert "在天台上" in handled
    assert reverse("rooms:intake_detail", args=[intake.pk]) in handled


def test_an_anonymous_walk_in_becomes_an_alert_about_the_person_described(cast):
    intake = make_intake(
        cast.school,
        cast.duty,
        channel="walk_in",
        caller_kind="anonymous",
        caller_name="",
        contact="",
    )
    alert = intake_to_alert(actor=cast.duty, intake=intake, risk_level="high")
    assert alert.source == "walk_in"
    assert alert.student is None
    assert alert.person_description
    again = intake_to_alert(actor=cast.duty, intake=intake, risk_level="high")
    assert again.pk == alert.pk
    assert Alert.objects.count() == 1


def test_duty_staff_see_only_the_intakes_they_recorded(cast, signed_in):
    colleague = make_user("duty", school=cast.school, username="duty2")
    mine = make_intake(cast.school, cast.duty)
    theirs = make_intake(cast.school, colleague, caller_name="李爸爸")
    client = signed_in(cast.duty)
    listing = client.get(reverse("rooms:intake_list")).content.decode()
    assert f'data-testid="intake-{mine.pk}"' in listing
    assert f'data-testid="intake-{theirs.pk}"' not in listing
    assert client.get(reverse("rooms:intake_detail", args=[theirs.pk])).status_code == 404
    alert = client.post(
        reverse("rooms:intake_alert", args=[theirs.pk]),
        {"risk_level": "high", "what_was_said": "x"},
    )
    assert alert.status_code == 404
    # Both refusals are written to the access log (an intake is confidential); nothing changed.
    denied = AccessLog.objects.filter(action="denied", object_type="rooms.Intake")
    assert list(denied.values_list("object_id", flat=True)) == [str(theirs.pk)] * 2
    theirs.refresh_from_db()
    assert theirs.outcome == "open"
    assert not Alert.objects.exists()


def test_the_counseling_staff_read_any_intake_and_the_read_is_recorded(cast, signed_in):
    intake = make_intake(cast.school, cast.duty)
    response = signed_in(cast.counselor).get(reverse("rooms:intake_detail", args=[intake.pk]))
    assert "孩子最近睡不好" in response.content.decode()
    logged = AccessLog.objects.get(action="read")
    assert (logged.object_type, logged.object_id) == ("rooms.Intake", str(intake.pk))


@pytest.mark.parametrize("role", ["class_teacher", "student", "guardian", "supervisor"])
def test_people_outside_the_room_cannot_see_intakes(cast, signed_in, role):
    intake = make_intake(cast.school, cast.duty)
    client = signed_in(getattr(cast, role))
    assert client.get(reverse("rooms:intake_list")).status_code == 403
    assert client.get(reverse("rooms:intake_detail", args=[intake.pk])).status_code in (403, 404)


def test_a_duty_person_opening_an_alert_they_did_not_raise_is_refused_and_recorded(cast, signed_in):
    """Issue 5: "a duty person opening any case or note URL is refused and the attempt is
    recorded". Until the cases app exists, the alert and its evidence are that material."""
    colleague = make_user("duty", school=cast.school, username="duty2")
    intake = make_intake(cast.school, colleague, caller_kind="student", student=cast.student_record)
    alert = intake_to_alert(actor=colleague, intake=intake, risk_level="high")
    response = signed_in(cast.duty).get(reverse("crisis:alert_detail", args=[alert.pk]))
    assert response.status_code in (403, 404)
    denied = AccessLog.objects.get(action="denied")
    assert (denied.actor_username, denied.object_id) == ("duty", str(alert.pk))


def test_a_duty_person_reading_the_concern_of_their_own_intake_is_recorded(cast, signed_in):
    """Issue 12 (item 9): every read of a concern is in the access log, the recorder's too."""
    intake = make_intake(cast.school, cast.duty)
    response = signed_in(cast.duty).get(reverse("rooms:intake_detail", args=[intake.pk]))
    assert response.status_code == 200
    logged = AccessLog.objects.get(action="read")
    assert (logged.actor_username, logged.object_id) == (cast.duty.username, str(intake.pk))
    assert logged.basis == "recorded this intake"


@pytest.mark.parametrize("role", ["principal", "class_teacher", "supervisor"])
def test_a_refused_intake_is_recorded_for_every_role(cast, signed_in, role):
    """Issue 12 (item 9): the principal, a class teacher and a supervisor were refused
    without a trace; the getter now writes every refusal, and nothing changes."""
    intake = make_intake(cast.school, cast.duty)
    client = signed_in(getattr(cast, role))
    assert client.get(reverse("rooms:intake_detail", args=[intake.pk])).status_code in (403, 404)
    posted = client.post(reverse("rooms:intake_alert", args=[intake.pk]), {"risk_level": "high"})
    assert posted.status_code in (403, 404)
    denied = AccessLog.objects.filter(action="denied", object_type="rooms.Intake")
    assert set(denied.values_list("actor_username", flat=True)) == {getattr(cast, role).username}
    assert denied.count() == 2
    intake.refresh_from_db()
    assert intake.outcome == "open" and not Alert.objects.exists()
