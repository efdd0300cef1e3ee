"""The rooms API: free slots, bookings (own, or for someone else) and the published duty roster.

The same rules as the pages: permissions from rooms/rules.py, rows through the models'
declarations and the getters of rooms/access.py, state changes through the same services.
"""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinqiao.core.access import require
from xinqiao.core.api import JsonOrForm
from xinqiao.core.params import Day
from xinqiao.people.models import Student
from xinqiao.rooms import access
from xinqiao.rooms.appointments import selectors, services
from xinqiao.rooms.models import Appointment, AppointmentSlot, DutyShift
from xinqiao.rooms.roster.selectors import published_shifts

router = Router(tags=["rooms"])


class SlotOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    counselor_id: int
    counselor_name: str
    room_id: int
    room_name: str
    room_location: str
    is_group: bool
    topic: str
    capacity: int
    places_left: int

    @staticmethod
    def resolve_counselor_name(slot: AppointmentSlot) -> str:
        return slot.counselor.display_name

    @staticmethod
    def resolve_room_name(slot: AppointmentSlot) -> str:
        return slot.room.name

    @staticmethod
    def resolve_room_location(slot: AppointmentSlot) -> str:
        return slot.room.location

    @staticmethod
    def resolve_places_left(slot: AppointmentSlot) -> int:
        booked = getattr(slot, "booked_count", None)
        if booked is None:
            booked = slot.appointments.filter(state__in=Appointment.ACTIVE_STATES).count()
        return max(slot.capacity - booked, 0)


class SlotFilter(Schema):
    counselor_id: int | None = None
    day: Day | None = None


class BookingIn(Schema):
    topic: str = services.Topic.OTHER
    # Staff only: for whom (a student by id, or a guardian or teacher by name).
    for_kind: str = Appointment.ForKind.STUDENT
    student_id: int | None = None
    person_name: str = Field("", max_length=100)
    contact: str = Field("", max_length=100)


class BookingOut(Schema):
    id: int
    state: str
    state_reason: str
    for_kind: str
    person_name: str
    topic: str
    booked_at: datetime.datetime
    slot: SlotOut


BookingBody = Annotated[BookingIn | None, JsonOrForm(None)]


class TakenOut(Schema):
    detail: str
    next_slots: list[SlotOut]


class CancelIn(Schema):
    reason: str = ""


CancelBody = Annotated[CancelIn | None, JsonOrForm(None)]


class ShiftOut(Schema):
    id: int
    date: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    room_name: str
    on_duty: str | None
    is_mine: bool

    @staticmethod
    def resolve_room_name(shift: DutyShift) -> str:
        return shift.room.name

    @staticmethod
    def resolve_on_duty(shift: DutyShift) -> str | None:
        return shift.user.display_name if shift.user_id else None

    @staticmethod
    def resolve_is_mine(shift: DutyShift, context) -> bool:
        return shift.user_id is not None and shift.user_id == context["request"].auth.pk


class ShiftFilter(Schema):
    date_from: Day | None = None
    date_to: Day | None = None
    mine: bool = False


def _error(error: ValidationError) -> HttpError:
    return HttpError(400, " ".join(error.messages))


@router.get("/slots", response=list[SlotOut], summary="Free appointment slots")
@paginate
def slot_list(request, filters: Query[SlotFilter]):
    require(request.auth, "rooms.view_slots")
    return selectors.free_slots(
        AppointmentSlot.objects.for_user(request.auth),
        counselor_id=filters.counselor_id,
        day=filters.day,
    )


@router.post(
    "/slots/{slot_id}/bookings",
    response={201: BookingOut, 409: TakenOut},
    summary="Book a slot (a student for themself; staff for a student, guardian or teacher)",
)
def booking_create(request, slot_id: int, payload: BookingBody = None):
    slot = access.get_slot(request, slot_id, "rooms.book_appointment")
    payload = payload or BookingIn()
    student = None
    if payload.student_id is not None:
        if not request.auth.has_perm("rooms.book_for_others", slot):
            student = selectors.own_student_record(request.auth, slot.school_id)
            if student is None or student.pk != payload.student_id:
                raise HttpError(403, "Students book for themselves only.")
        else:
            student = (
                Student.objects.for_user(request.auth)
                .filter(pk=payload.student_id, school_id=slot.school_id)
                .first()
            )
            if student is None:
                raise HttpError(400, "Unknown student.")
    try:
        appointment = services.appointment_book(
            actor=request.auth,
            slot=slot,
            topic=payload.topic,
            for_kind=payload.for_kind,
            student=student,
            person_name=payload.person_name,
            contact=payload.contact,
        )
    except services.SlotTaken as taken:
        return Status(409, {"detail": str(taken), "next_slots": taken.next_slots})
    except ValidationError as error:
        raise _error(error) from None
    return Status(201, access.get_appointment(request, appointment.pk))


@router.get("/bookings", response=list[BookingOut], summary="My bookings")
@paginate
def booking_list(request):
    require(request.auth, "rooms.book_appointment")
    return selectors.bookings_of(request.auth)


@router.post(
    "/bookings/{booking_id}/cancel", response=BookingOut, summary="Cancel a booking, with a reason"
)
def booking_cancel(request, booking_id: int, payload: CancelBody = None):
    appointment = access.get_appointment(request, booking_id, "rooms.change_appointment")
    try:
        services.appointment_cancel(
            actor=request.auth, appointment=appointment, reason=(payload or CancelIn()).reason
        )
    except ValidationError as error:
        raise _error(error) from None
    return access.get_appointment(request, booking_id)


@router.get("/shifts", response=list[ShiftOut], summary="The published duty roster (read-only)")
@paginate
def shift_list(request, filters: Query[ShiftFilter]):
    require(request.auth, "rooms.view_roster")
    shifts = published_shifts(request.auth)
    if filters.date_from:
        shifts = shifts.filter(date__gte=filters.date_from)
    if filters.date_to:
        shifts = shifts.filter(date__lte=filters.date_to)
    if filters.mine:
        shifts = shifts.filter(user=request.auth)
    return shifts
