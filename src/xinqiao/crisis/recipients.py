"""Whom an alert reaches: the crisis app asks, the apps above it answer.

crisis is the lowest domain app: every other app raises alerts through it, so it imports none
of them (DESIGN.md, layers). An app that knows who looks after a student registers a provider
in its ``AppConfig.ready``; cases registers "the counselors of the student's open cases".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.selectors import holders_of

# A provider takes the alert's student id and gives the user ids responsible for that student.
StudentCounselorProvider = Callable[[int], Iterable[int]]

_student_counselor_providers: list[StudentCounselorProvider] = []


def register_student_counselors(provider: StudentCounselorProvider) -> None:
    if provider not in _student_counselor_providers:
        _student_counselor_providers.append(provider)


def student_counselor_ids(student_id: int) -> set[int]:
    """Everyone any app names as responsible for the student's counseling now."""
    found: set[int] = set()
    for provider in _student_counselor_providers:
        found.update(provider(student_id))
    return found


def counselors_for(*, school_id: int, student_id: int | None) -> QuerySet[User]:
    """The student's counselors, as the other apps name them; a student without one (or an
    anonymous person) reaches every counselor of the school: in danger, reaching one too many
    counselors beats reaching none."""
    counselors = holders_of(school_id, Role.COUNSELOR)
    if student_id is not None:
        responsible = student_counselor_ids(student_id)
        if responsible:
            counselors = counselors.filter(pk__in=responsible)
    return counselors
