"""Access rows for issuing accounts: the administrator's alone."""

from tests.access import Route
from xinqiao.people.models import Student
from xinqiao.people.services import user_for_roster

ADMIN = frozenset({"admin"})


def _reset_target(cast) -> int:
    """A roster student of the cast's class; resetting them touches no member of the cast."""
    student = Student.objects.filter(school=cast.school, student_number="2026079999").first()
    if student is None:
        student = Student.objects.create(
            school=cast.school,
            school_class=cast.school_class,
            user=user_for_roster(username="reset-target", full_name="李四"),
            name="李四",
            student_number="2026079999",
        )
    return student.user_id


ROUTES = [
    Route("people:account_issue", ADMIN),
    Route("people:account_search", ADMIN, data={"q": "何"}),
    # An empty selection: the administrator gets the page back with the form's message.
    Route("people:account_sheet", ADMIN, method="post"),
    Route("people:account_reset", ADMIN, method="post", kwargs={"pk": _reset_target}),
]
