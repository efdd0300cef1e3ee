"""Access rows of the rooms, roster, leave and duty-log routes (see tests/test_access_sweep.py)."""

from tests.access import ALL_EXTRAS, Route
from tests.rooms import factories as f

ROOM_VIEWERS = frozenset(
    {
        "admin",
        "principal",
        "vice_principal",
        "director",
        "counselor",
        "duty",
        "class_teacher",
        "grade_leader",
        "student_affairs",
        "supervisor",
    }
)
ROOM_MANAGERS = frozenset({"director", "admin"})
DIRECTOR = frozenset({"director"})
DUTY_HOLDERS = frozenset({"director", "counselor", "duty"})
LOG_READERS = frozenset({"director", "supervisor"})
# The shift, leave request and log of the sweep belong to the cast's duty person.
SHIFT_HOLDER = frozenset({"duty"})

room = {"pk": lambda cast: f.sweep_room(cast).pk}
room_pk = {"room_pk": lambda cast: f.sweep_room(cast).pk}
future_shift = {"pk": lambda cast: f.sweep_future_shift(cast).pk}
past_shift = {"pk": lambda cast: f.sweep_past_shift(cast).pk}
leave = {"pk": lambda cast: f.sweep_leave(cast).pk}

ROUTES = [
    # rooms and opening hours
    Route("rooms:room_list", ROOM_VIEWERS),
    Route("rooms:room_detail", ROOM_VIEWERS, kwargs=room),
    Route("rooms:room_create", ROOM_MANAGERS),
    Route("rooms:room_edit", ROOM_MANAGERS, kwargs=room),
    Route("rooms:opening_edit", ROOM_MANAGERS, kwargs=room),
    Route("rooms:opening_copy", ROOM_MANAGERS, kwargs=room, method="post", ok=(302,)),
    Route(
        "rooms:opening_remove",
        ROOM_MANAGERS,
        kwargs={"pk": lambda cast: f.sweep_period(cast).pk},
        method="post",
        ok=(302,),
    ),
    # the roster
    Route("rooms:roster", DUTY_HOLDERS),
    # The cast's other school has no current term: its staff are sent back to the roster (302).
    Route("rooms:roster_export", DUTY_HOLDERS, extras=ALL_EXTRAS, extras_ok=(200, 302)),
    Route("rooms:roster_issues", DIRECTOR),
    Route("rooms:roster_plan", DIRECTOR, kwargs=room_pk),
    Route("rooms:roster_generate", DIRECTOR, kwargs=room_pk, method="post", ok=(302,)),
    Route("rooms:roster_publish", DIRECTOR, kwargs=room_pk, method="post", ok=(302,)),
    Route("rooms:shift_edit", DIRECTOR, kwargs=future_shift),
    Route("rooms:my_duties", DUTY_HOLDERS),
    # leave
    Route("rooms:leave_request", SHIFT_HOLDER, kwargs=future_shift),
    Route("rooms:leave_list", DUTY_HOLDERS),
    Route("rooms:leave_detail", SHIFT_HOLDER | DIRECTOR, kwargs=leave),
    Route(
        "rooms:leave_decide",
        DIRECTOR,
        kwargs=leave,
        method="post",
        data={"decision": "refuse", "note": "人手不足"},
        ok=(302,),
    ),
    # Without a chosen person the director's form comes back with its error.
    Route("rooms:leave_substitute", DIRECTOR, kwargs=leave, method="post", ok=(400,)),
    Route("rooms:leave_withdraw", SHIFT_HOLDER, kwargs=leave, method="post", ok=(302,)),
    # the duty log
    Route("rooms:duty_log_write", SHIFT_HOLDER, kwargs=past_shift),
    Route("rooms:duty_log_list", LOG_READERS),
    Route("rooms:duty_log_missing", LOG_READERS),
    # Its hand-over and "anything unusual" may hold what a student confided: refusals are logged.
    Route(
        "rooms:duty_log_detail",
        LOG_READERS | SHIFT_HOLDER,
        kwargs={"pk": lambda cast: f.sweep_log(cast).pk},
        confidential=True,
    ),
]
