"""Notifications never copy free text (issue 12, item 7): a reason, a name or a phone number
typed for an appointment is read on the appointment's page, by those allowed to, and stays
out of the change history too."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from tests.rooms.appointment_factories import at, make_appointment, make_slot
from xinqiao.core.models import Notification
from xinqiao.rooms.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    slot_cancel,
)
from xinqiao.rooms.models import Appointment

pytestmark = pytest.mark.django_db

MARKER = "保密-marker-4411"


def history_and_notifications_text() -> str:
    entries = LogEntry.objects.all()
    notes = Notification.objects.all()
    return "\n".join(
        [*(f"{e.object_repr} {e.changes} {e.changes_text}" for e in entries)]
        + [f"{n.title} {n.body}" for n in notes]
    )


def test_booking_and_cancelling_copy_no_typed_text_into_the_history_or_a_notification(cast):
    slot = make_slot(cast.school, cast.counselor)
    appointment = appointment_book(
        actor=cast.duty,
        slot=slot,
        topic="family",
        for_kind=Appointment.ForKind.GUARDIAN,
        student=cast.student_record,
        person_name=f"{MARKER} 何妈妈",
        contact=f"{MARKER} 13800000000",
    )
    appointment_cancel(actor=cast.duty, appointment=appointment, reason=f"{MARKER} 家里出事了")
    appointment.refresh_from_db()
    assert appointment.state_reason == f"{MARKER} 家里出事了"
    assert Notification.objects.filter(recipient=cast.counselor).count() == 2
    assert LogEntry.objects.get_for_object(appointment).count() == 2
    assert MARKER not in history_and_notifications_text()


def test_a_students_cancel_reason_is_not_copied_into_the_counselors_notification(cast):
    appointment = appointment_book(
        actor=cast.student, slot=make_slot(cast.school, cast.counselor), topic="study"
    )
    appointment_cancel(actor=cast.student, appointment=appointment, reason=f"{MARKER} 不想说")
    told = Notification.objects.filter(recipient=cast.counselor).order_by("-id").first()
    assert told.url.endswith(f"/{appointment.pk}/")
    assert MARKER not in told.title + told.body


def test_moving_or_withdrawing_copies_no_reason_into_a_notification(cast):
    first = make_appointment(make_slot(cast.school, cast.counselor), cast.student_record)
    appointment_reschedule(
        actor=cast.student,
        appointment=first,
        new_slot=make_slot(cast.school, cast.director, starts_at=at(5, 9)),
        reason=f"{MARKER} 要复诊",
    )
    withdrawn = make_slot(cast.school, cast.counselor, starts_at=at(6, 9))
    make_appointment(withdrawn, cast.student_record)
    slot_cancel(actor=cast.counselor, slot=withdrawn, reason=f"{MARKER} 外出")
    assert Notification.objects.filter(recipient__in=[cast.counselor, cast.student]).exists()
    assert MARKER not in history_and_notifications_text()
