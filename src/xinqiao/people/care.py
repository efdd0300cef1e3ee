"""Who counsels a student: the people app asks, the case work app answers.

A student's family circumstances are read by the school's director and the counselors of the
student's cases only (DESIGN.md principle 1). Cases sit above people (DESIGN.md, layers), so the
cases app registers the answer in its ``AppConfig.ready``: a queryset of
(``student_id``, ``user_id``) rows, one per counselor of a case of the student.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

CounselingPairs = Callable[[], QuerySet]

_providers: list[CounselingPairs] = []


def register_counseling_pairs(provider: CounselingPairs) -> None:
    if provider not in _providers:
        _providers.append(provider)


def students_counseled_by(user_id: int) -> list[QuerySet]:
    """Subqueries of the ids of the students ``user_id`` counsels (one per provider)."""
    return [provider().filter(user_id=user_id).values("student_id") for provider in _providers]


def counsels(user_id: int, student_id: int) -> bool:
    return any(
        provider().filter(user_id=user_id, student_id=student_id).exists()
        for provider in _providers
    )
