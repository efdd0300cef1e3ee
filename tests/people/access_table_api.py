"""Access rows of the people API (people/api.py): every operation, every role of the cast."""

from __future__ import annotations

from tests.access import EVERYONE, STAFF, Route
from tests.people.access_table import ROSTER_WIDE

COUNSELING = frozenset({"director", "counselor"})


def _class_id(cast) -> int:
    return cast.school_class.pk


def _student_id(cast) -> int:
    return cast.student_record.pk


def _counseled_student_id(cast) -> int:
    """The cast's student, with a case held by the cast's counselor (built once per route):
    the family circumstances are the director's and the student's counselors' only."""
    from tests.cases.factories import case_at

    built = cast.__dict__.setdefault("_sweep_cases", {})
    if "counseled" not in built:
        built["counseled"] = case_at(cast, "intake")
    return cast.student_record.pk


ROUTES = [
    Route("GET /api/people/semesters", STAFF),
    Route("GET /api/people/semesters", STAFF, data={"school": 0}),
    Route("GET /api/people/grades", STAFF),
    Route("GET /api/people/classes", ROSTER_WIDE | {"class_teacher", "grade_leader"}),
    Route(
        "GET /api/people/classes",
        ROSTER_WIDE | {"class_teacher", "grade_leader"},
        data={"grade": 0, "school": 0},
    ),
    Route(
        "GET /api/people/classes/{class_id}",
        ROSTER_WIDE | {"class_teacher"},
        kwargs={"class_id": _class_id},
    ),
    # Everyone may ask for students: the answer holds only those the caller may see.
    Route("GET /api/people/students", EVERYONE),
    Route("GET /api/people/students", EVERYONE, data={"q": "何", "limit": 5}),
    Route(
        "GET /api/people/students/{student_id}",
        ROSTER_WIDE | {"class_teacher", "student", "guardian"},
        kwargs={"student_id": _student_id},
    ),
    Route(
        "GET /api/people/students/{student_id}/circumstances",
        COUNSELING,
        kwargs={"student_id": _counseled_student_id},
        confidential=True,
    ),
    Route("GET /api/people/staff", STAFF),
    Route("GET /api/people/schools/{school_id}/network", STAFF, kwargs={"school_id": "own"}),
]
