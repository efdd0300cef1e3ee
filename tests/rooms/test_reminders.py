"""Reminders the day before and an hour before, each sent once, in-app and by e-mail where the
person's account has an address (run by the task queue every five minutes)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from tests.rooms.appointment_factories import at, make_appointment, make_slot, make_student
from xinqiao.core.models import Notification
from xinqiao.rooms.appointments.services import appointment_reminders_send
from xinqiao.rooms.models import Appointment
from xinqiao.rooms.tasks import send_appointment_reminders

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def booking(cast):
    cast.student.email = "xiaoming@example.com"
    cast.student.save(update_fields=["email"])
    slot = make_slot(cast.school, cast.counselor, starts_at=at(3, 10))
    return make_appointment(slot, cast.student_record)


def reminders_of(user):
    return Notification.objects.filter(recipient=user, url__contains="/appointments/")


def test_the_day_before_and_the_hour_before_each_remind_once(
    cast, booking, django_capture_on_commit_callbacks
):
    starts = booking.slot.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_reminders_send(now=starts - 30 * HOUR) == 0  # too early
        assert appointment_reminders_send(now=starts - 20 * HOUR) == 1
        assert appointment_reminders_send(now=starts - 19 * HOUR) == 0  # already sent
        assert appointment_reminders_send(now=starts - 0.75 * HOUR) == 1
        assert appointment_reminders_send(now=starts - 0.5 * HOUR) == 0
    assert reminders_of(cast.student).count() == 2
    assert [message.to for message in mail.outbox] == [["xiaoming@example.com"]] * 2
    booking.refresh_from_db()
    assert booking.reminded_day_before and booking.reminded_hour_before


def test_booked_within_the_hour_gets_one_reminder_not_two(cast, booking):
    starts = booking.slot.starts_at
    assert appointment_reminders_send(now=starts - 0.5 * HOUR) == 1
    assert appointment_reminders_send(now=starts - 0.4 * HOUR) == 0
    assert reminders_of(cast.student).count() == 1


def test_no_email_without_an_address_but_the_in_app_reminder_still_comes(
    cast, django_capture_on_commit_callbacks
):
    student = make_student(cast.school, 2)
    booking = make_appointment(make_slot(cast.school, cast.counselor), student)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reminders_send(now=booking.slot.starts_at - 2 * HOUR)
    assert reminders_of(student.user).count() == 1
    assert mail.outbox == []


def test_cancelled_and_past_appointments_are_not_reminded(cast, booking):
    booking.state = Appointment.State.CANCELLED
    booking.save(update_fields=["state"])
    assert appointment_reminders_send(now=booking.slot.starts_at - 2 * HOUR) == 0
    assert appointment_reminders_send(now=booking.slot.starts_at + HOUR) == 0
    assert not reminders_of(cast.student).exists()


def test_a_guardians_appointment_reminds_the_guardian(cast):
    slot = make_slot(cast.school, cast.counselor)
    make_appointment(
        slot, cast.student_record, for_kind="guardian", person_name="何妈妈", booked_by=cast.duty
    )
    appointment_reminders_send(now=slot.starts_at - 3 * HOUR)
    assert reminders_of(cast.guardian).count() == 1
    assert not reminders_of(cast.student).exists()


def test_the_periodic_task_sends_what_has_come_due(cast):
    """The task queue's job: an appointment created inside the day-before window."""
    soon = make_slot(
        cast.school,
        cast.counselor,
        starts_at=datetime.datetime.now(datetime.UTC) + 5 * HOUR,
    )
    make_appointment(soon, cast.student_record)
    send_appointment_reminders.call_local()
    assert reminders_of(cast.student).count() == 1
    send_appointment_reminders.call_local()
    assert reminders_of(cast.student).count() == 1
