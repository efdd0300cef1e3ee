from tests.access import STAFF, Route

ROSTER_WIDE = frozenset(
    {"admin", "principal", "vice_principal", "director", "counselor", "student_affairs", "duty"}
)

ROUTES = [
    Route("people:school_list", STAFF),
    Route("people:class_list", ROSTER_WIDE | {"class_teacher", "grade_leader"}),
    Route(
        "people:class_detail",
        ROSTER_WIDE | {"class_teacher"},
        kwargs={"pk": lambda cast: cast.school_class.pk},
    ),
    Route("people:student_list", ROSTER_WIDE | {"class_teacher", "grade_leader"}),
    Route(
        "people:student_detail",
        ROSTER_WIDE | {"class_teacher"},
        kwargs={"pk": lambda cast: cast.student_record.pk},
    ),
    Route("GET /api/people/schools", STAFF),
    Route("GET /api/people/schools/{school_id}", STAFF, kwargs={"school_id": "own"}),
]
