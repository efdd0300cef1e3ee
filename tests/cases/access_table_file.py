"""Access rows of the student file and the archive catalogue (see tests/test_access_sweep.py).

The student of the sweep is the cast's student, with an archived case held by the cast's
counselor: the director and that counselor read, print and find the file; only the director
exports it or archives a semester.
"""

from tests.access import Route
from tests.cases.factories import case_at
from xinqiao.cases.models import Case

COUNSELING = frozenset({"director", "counselor"})
DIRECTOR = frozenset({"director"})


def sweep_student(cast) -> int:
    """The cast's student, with an archived case held by the cast's counselor (made once)."""
    held = Case.objects.filter(
        student=cast.student_record,
        state=Case.State.ARCHIVED,
        counselors__user=cast.counselor,
    )
    if not held.exists():
        case_at(cast, "archived")
    return cast.student_record.pk


student = {"student_pk": sweep_student}


def sweep_case(cast) -> int:
    sweep_student(cast)
    return Case.objects.get(student=cast.student_record, state=Case.State.ARCHIVED).pk


ROUTES = [
    Route("cases:student_file", COUNSELING, kwargs=student, confidential=True),
    Route("cases:student_file_print", COUNSELING, kwargs=student, confidential=True),
    Route("cases:student_file_export", DIRECTOR, kwargs=student, confidential=True),
    Route("cases:case_records", COUNSELING, kwargs={"pk": sweep_case}, confidential=True),
    Route("cases:archive", COUNSELING),
    Route("cases:archive_semester", DIRECTOR),
    # Without a chosen semester the director's form comes back with its error.
    Route("cases:archive_semester", DIRECTOR, method="post", ok=(400,)),
]
