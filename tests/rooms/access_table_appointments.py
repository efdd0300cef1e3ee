"""Access rows of intake, booking, the appointment book, slots, calendars and their API."""

from tests.access import SECOND_COUNSELOR, Route

DUTY_HOLDERS = frozenset({"director", "counselor", "duty"})
COUNSELING = frozenset({"director", "counselor"})
BOOKERS = DUTY_HOLDERS | {"student"}


def duty_intake(cast) -> int:
    """An intake the duty person recorded (each call makes a fresh one)."""
    from tests.rooms.appointment_factories import make_intake

    return make_intake(cast.school, cast.duty).pk


def colleagues_intake(cast) -> int:
    """An intake another duty person recorded: its concern is not the duty person's to read."""
    from tests.factories import make_user
    from tests.rooms.appointment_factories import make_intake
    from xinqiao.core.models import User

    colleague = User.objects.filter(username="duty-colleague").first()
    colleague = colleague or make_user("duty", school=cast.school, username="duty-colleague")
    return make_intake(cast.school, colleague).pk


def free_slot(cast) -> int:
    from tests.rooms.appointment_factories import make_slot

    return make_slot(cast.school, cast.counselor).pk


def students_booking(cast) -> int:
    """A booking the student made for themself, on a slot of the counselor."""
    from tests.rooms.appointment_factories import make_appointment, make_slot

    return make_appointment(make_slot(cast.school, cast.counselor), cast.student_record).pk


ROUTES = [
    Route("rooms:intake_list", DUTY_HOLDERS),
    Route("rooms:intake_create", DUTY_HOLDERS),
    Route("rooms:intake_detail", DUTY_HOLDERS, kwargs={"pk": duty_intake}),
    Route("rooms:intake_book", DUTY_HOLDERS, kwargs={"pk": duty_intake}),
    Route(
        "rooms:intake_alert",
        DUTY_HOLDERS,
        kwargs={"pk": duty_intake},
        method="post",
        data={"risk_level": "high"},
        ok=(302,),
    ),
    # Someone else's intake: the counseling side only; a duty person's attempt is recorded.
    # The school's intakes are every counselor's to take up.
    Route(
        "rooms:intake_detail",
        COUNSELING,
        kwargs={"pk": colleagues_intake},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "rooms:intake_book",
        COUNSELING,
        kwargs={"pk": colleagues_intake},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "rooms:intake_alert",
        COUNSELING,
        kwargs={"pk": colleagues_intake},
        method="post",
        data={"risk_level": "high"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route("rooms:booking_start", BOOKERS),
    Route("rooms:booking_create", BOOKERS, kwargs={"pk": free_slot}),
    Route("rooms:my_bookings", frozenset({"student"})),
    Route("rooms:appointment_list", DUTY_HOLDERS),
    Route("rooms:appointment_detail", BOOKERS, kwargs={"pk": students_booking}),
    Route(
        "rooms:appointment_cancel",
        BOOKERS,
        kwargs={"pk": students_booking},
        method="post",
        data={"reason": "有事"},
        ok=(302,),
    ),
    Route("rooms:appointment_reschedule", BOOKERS, kwargs={"pk": students_booking}),
    Route(
        "rooms:appointment_check_in",
        DUTY_HOLDERS,
        kwargs={"pk": students_booking},
        method="post",
        ok=(302,),
    ),
    Route(
        "rooms:appointment_no_show",
        DUTY_HOLDERS,
        kwargs={"pk": students_booking},
        method="post",
        ok=(302,),
    ),
    Route(
        "rooms:appointment_complete",
        DUTY_HOLDERS,
        kwargs={"pk": students_booking},
        method="post",
        ok=(302,),
    ),
    Route("rooms:slot_list", COUNSELING),
    Route("rooms:slot_create", COUNSELING),
    Route("rooms:slot_generate", COUNSELING),
    Route(
        "rooms:slot_cancel",
        COUNSELING,
        kwargs={"pk": free_slot},
        method="post",
        data={"reason": "外出培训"},
        ok=(302,),
        # Only the counselor who offers the slot (or the director) withdraws it.
        extras=frozenset(),
    ),
    Route("rooms:appointment_calendar", COUNSELING),
    Route("GET /api/rooms/slots", BOOKERS),
    Route(
        "POST /api/rooms/slots/{slot_id}/bookings",
        BOOKERS,
        kwargs={"slot_id": free_slot},
        data={"topic": "study", "person_name": "王老师", "for_kind": "teacher"},
        ok=(201,),
    ),
    Route("GET /api/rooms/bookings", BOOKERS),
    Route(
        "POST /api/rooms/bookings/{booking_id}/cancel",
        BOOKERS,
        kwargs={"booking_id": students_booking},
        data={"reason": "有事"},
    ),
    Route("GET /api/rooms/shifts", DUTY_HOLDERS),
]
