"""Shared pieces of the privacy tests: students to read, reads written as the product writes
them (through record_access, so the chain verifies), and a flag of the school."""

from __future__ import annotations

from django.utils import timezone

from tests.people.roster_factories import StudentFactory
from xinqiao.core.access_log import record_access
from xinqiao.people.models import Student
from xinqiao.privacy.models import AccessFlag


def make_students(cast, count: int, *, prefix: str = "学生") -> list[Student]:
    return [
        StudentFactory(
            school_class=cast.school_class,
            name=f"{prefix}{number:02d}",
            student_number=f"2026079{number:03d}",
        )
        for number in range(count)
    ]


def read_files(user, students, *, action: str = "read", grant_id=None) -> None:
    for student in students:
        record_access(
            actor=user, action=action, obj=student, basis="test: file read", grant_id=grant_id
        )


def flag_of(cast) -> AccessFlag:
    """One flag of the cast's school (made once), for the pages that open a flag."""
    now = timezone.now()
    flag, _ = AccessFlag.objects.get_or_create(
        school=cast.school,
        kind=AccessFlag.Kind.MANY_FILES,
        actor_username=cast.counselor.username,
        key="sweep",
        defaults={
            "actor_id": cast.counselor.pk,
            "first_seq": 1,
            "last_seq": 2,
            "started_at": now,
            "ended_at": now,
            "count": 30,
        },
    )
    return flag
