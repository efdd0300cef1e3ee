"""The rooms app's getters: one room, shift, leave request, duty log, intake, appointment or
slot, reached only through the kernel (core/access.py).

Each getter answers 404 for missing and not-yours alike and 403 for an object the user sees
but ``perm`` refuses; refusals of an intake (confidential: a call's concern) are written to
the access log. The rows each user sees are declared on the models (rooms/models.py).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from xinqiao.core.access import get_or_refuse
from xinqiao.rooms.models import (
    Appointment,
    AppointmentSlot,
    DutyLog,
    DutyShift,
    Intake,
    LeaveRequest,
    OpeningPeriod,
    Room,
)


def get_room(request, pk: int, perm: str | None = None) -> Room:
    return get_or_refuse(request, Room.objects.select_related("school"), pk, perm)


def get_opening_period(request, pk: int, perm: str) -> OpeningPeriod:
    """An opening period of a room the user sees; ``perm`` is asked of its room."""
    rooms = Room.objects.for_user(request.user)
    period = OpeningPeriod.objects.select_related("room").filter(pk=pk, room__in=rooms).first()
    if period is None:
        raise Http404
    if not request.user.has_perm(perm, period.room):
        raise PermissionDenied
    return period


def get_shift(request, pk: int, perm: str | None = None) -> DutyShift:
    return get_or_refuse(
        request, DutyShift.objects.select_related("room", "user", "semester"), pk, perm
    )


def get_leave(request, pk: int, perm: str | None = None) -> LeaveRequest:
    queryset = LeaveRequest.objects.select_related(
        "shift__room", "shift__user", "requester", "decided_by", "substitute"
    )
    return get_or_refuse(request, queryset, pk, perm)


def get_duty_log(request, pk: int, perm: str | None = None) -> DutyLog:
    """A duty log: its hand-over and "anything unusual" may hold what a caller confided, so
    every refusal is written to the access log (issue 12)."""
    queryset = DutyLog.objects.select_related("shift__room", "shift__school", "written_by")
    return get_or_refuse(request, queryset, pk, perm, confidential=True)


def get_intake(request, pk: int, perm: str = "rooms.view_intakes") -> Intake:
    """An intake (confidential: every refusal is written to the access log)."""
    queryset = Intake.objects.select_related("student", "received_by", "school")
    return get_or_refuse(request, queryset, pk, perm)


def get_appointment(request, pk: int, perm: str | None = None) -> Appointment:
    queryset = Appointment.objects.select_related(
        "slot__room", "slot__counselor", "student", "booked_by", "intake"
    )
    return get_or_refuse(request, queryset, pk, perm)


def get_slot(request, pk: int, perm: str | None = None) -> AppointmentSlot:
    queryset = AppointmentSlot.objects.select_related("room", "counselor", "school")
    return get_or_refuse(request, queryset, pk, perm)
