"""The counseling room's records under core/retention.py: intakes and appointments go after
their period; a duty log keeps that the shift was covered (arrival, calls, visitors) and loses
its free text, which may name students."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core import retention
from xinqiao.core.models import RetentionRun
from xinqiao.core.retention import RecordType, ReviewRow
from xinqiao.rooms.models import Appointment, DutyLog, Intake


def _student_label(student, fallback: str) -> str:
    if student is None:
        return fallback
    return f"{student.name} · {student.school_class or student.get_status_display()}"


# --- intakes --------------------------------------------------------------------------------------
def past_intakes(school_id: int, years: int, today: datetime.date) -> QuerySet[Intake]:
    before = retention.start_of_day(retention.years_before(today, years))
    return Intake.objects.filter(school_id=school_id, received_at__lt=before)


def intake_rows(intakes: QuerySet[Intake], years: int) -> list[ReviewRow]:
    intakes = intakes.select_related("student__school_class__grade").order_by("received_at")
    rows = []
    for intake in intakes:
        received = timezone.localdate(intake.received_at)
        label = f"{intake.get_channel_display()} · " + _student_label(
            intake.student, str(intake.get_caller_kind_display())
        )
        rows.append(ReviewRow(intake.pk, label, received, retention.years_after(received, years)))
    return rows


# --- appointments ---------------------------------------------------------------------------------
def past_appointments(school_id: int, years: int, today: datetime.date) -> QuerySet[Appointment]:
    before = retention.start_of_day(retention.years_before(today, years))
    return Appointment.objects.filter(school_id=school_id, slot__starts_at__lt=before)


def appointment_rows(appointments: QuerySet[Appointment], years: int) -> list[ReviewRow]:
    appointments = appointments.select_related("slot", "student__school_class__grade").order_by(
        "slot__starts_at"
    )
    rows = []
    for appointment in appointments:
        day = timezone.localdate(appointment.slot.starts_at)
        label = _student_label(appointment.student, str(appointment.get_for_kind_display()))
        rows.append(ReviewRow(appointment.pk, label, day, retention.years_after(day, years)))
    return rows


# --- duty logs ------------------------------------------------------------------------------------
def past_duty_logs(school_id: int, years: int, today: datetime.date) -> QuerySet[DutyLog]:
    return DutyLog.objects.filter(
        shift__school_id=school_id, shift__date__lt=retention.years_before(today, years)
    ).exclude(Q(unusual="") & Q(handover=""))


def duty_log_rows(logs: QuerySet[DutyLog], years: int) -> list[ReviewRow]:
    logs = logs.select_related("shift__user").order_by("shift__date")
    return [
        ReviewRow(
            log.pk,
            str(log.shift.user),
            log.shift.date,
            retention.years_after(log.shift.date, years),
        )
        for log in logs
    ]


def anonymise_duty_logs(logs: QuerySet[DutyLog]) -> int:
    """The free text goes; the change history never held it (core.history)."""
    return DutyLog.objects.filter(pk__in=list(logs.values_list("pk", flat=True))).update(
        unusual="", handover=""
    )


def register() -> None:
    retention.register(
        RecordType(
            key="rooms.intake",
            label=_("intakes (calls and visits)"),
            counted_from=_("the day of the call or visit"),
            default_years=3,
            past=past_intakes,
            rows=intake_rows,
            dispose=retention.delete_with_history,
        )
    )
    retention.register(
        RecordType(
            key="rooms.appointment",
            label=_("appointments"),
            counted_from=_("the day of the appointment"),
            default_years=3,
            past=past_appointments,
            rows=appointment_rows,
            dispose=retention.delete_with_history,
        )
    )
    retention.register(
        RecordType(
            key="rooms.dutylog",
            label=_("duty logs (their notes)"),
            counted_from=_("the day of the duty"),
            default_years=3,
            past=past_duty_logs,
            rows=duty_log_rows,
            dispose=anonymise_duty_logs,
            action=RetentionRun.Action.ANONYMISED,
        )
    )
