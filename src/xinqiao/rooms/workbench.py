"""The rooms app's workbench tiles (core/workbench.py): each counts what its list shows."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.home_links import register_role_link
from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.rooms.appointments.selectors import own_appointments
from xinqiao.rooms.duty_log.selectors import missing_logs
from xinqiao.rooms.models import Appointment, DutyShift, Intake, LeaveRequest
from xinqiao.rooms.roster.selectors import duty_logs_missing, own_shifts
from xinqiao.rooms.selectors import pick_semester


def _today_start() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))


def appointments_today(user, school_id) -> int:
    """The appointment book's list of today (rooms:appointment_list?day=today)."""
    start = _today_start()
    return (
        Appointment.objects.for_user(user)
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=start + datetime.timedelta(days=1))
        .count()
    )


def leave_to_decide(user, school_id) -> int:
    return LeaveRequest.objects.for_user(user).filter(state=LeaveRequest.State.REQUESTED).count()


def coming_bookings(user, school_id) -> int:
    return (
        own_appointments(user)
        .filter(state=Appointment.State.BOOKED, slot__starts_at__gte=timezone.now())
        .count()
    )


def school_logs_missing(user, school_id) -> int:
    """The missing duty logs list of this semester (rooms:duty_log_missing's default)."""
    semester = pick_semester(school_id)
    if semester is None:
        return 0
    return missing_logs(school_ids=[school_id]).filter(semester=semester).count()


def my_open_intakes(user, school_id) -> int:
    """Calls and walk-ins the person took that still wait for an outcome (the intake list's
    "to be handled", mine)."""
    intakes = Intake.objects.for_user(user).filter(school_id=school_id)
    return intakes.filter(received_by=user, outcome=Intake.Outcome.OPEN).count()


def duties_today(user, school_id) -> int:
    """Today's published duties of the school (the roster's week holds them with who is on)."""
    shifts = DutyShift.objects.for_user(user).filter(school_id=school_id, published=True)
    return shifts.filter(date=timezone.localdate()).count()


def register() -> None:
    register_tile(
        [Role.DIRECTOR],
        Tile("duties_today", _("Duties today"), "users", "rooms:roster", duties_today, order=6),
    )
    register_tile(
        [Role.DUTY],
        Tile(
            "my_open_intakes",
            _("Calls and visits to follow up"),
            "phone",
            "rooms:intake_list",
            my_open_intakes,
            order=15,
            query=f"outcome={Intake.Outcome.OPEN}&mine=1",
        ),
    )
    register_role_link(Role.STUDENT, _("Book a time"), "rooms:booking_start")
    register_tile(
        [Role.DIRECTOR, Role.SUPERVISOR],
        Tile(
            "missing_duty_logs",
            _("Duty logs missing this semester"),
            "notebook-pen",
            "rooms:duty_log_missing",
            school_logs_missing,
            order=80,
        ),
    )
    for key, title, icon, count, order in (
        (
            "my_shifts",
            _("My duties from today"),
            "calendar",
            lambda user, school_id: own_shifts(user, since=timezone.localdate()).count(),
            10,
        ),
        (
            "duty_logs",
            _("Duty logs to write"),
            "notebook-pen",
            lambda user, school_id: duty_logs_missing(user, timezone.localdate()).count(),
            20,
        ),
    ):
        # A duty's log is to write from the minute it ends.
        register_tile(
            [Role.DUTY], Tile(key, title, icon, "rooms:my_duties", count, order=order, live=True)
        )
    register_tile(
        [Role.DIRECTOR, Role.COUNSELOR, Role.DUTY],
        Tile(
            "appointments_today",
            _("Appointments today"),
            "calendar-clock",
            "rooms:appointment_list",
            appointments_today,
            order=5,
            query=lambda: f"day={timezone.localdate().isoformat()}",
        ),
    )
    register_tile(
        [Role.DIRECTOR],
        Tile(
            "leave_requests",
            _("Leave requests to decide"),
            "calendar",
            "rooms:leave_list",
            leave_to_decide,
            order=70,
            query=f"state={LeaveRequest.State.REQUESTED}",
        ),
    )
    register_tile(
        [Role.STUDENT],
        Tile(
            "bookings",
            _("Coming appointments"),
            "calendar-clock",
            "rooms:my_bookings",
            coming_bookings,
            order=20,
            live=True,
        ),
    )
