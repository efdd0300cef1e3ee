"""Reads of the letterbox: the counseling side's list and the crisis board's queue."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from xinqiao.core.models import User
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.letters.models import Letter
from xinqiao.letters.services import overdue_cutoff
from xinqiao.people.models import School

FILTERS = ("unanswered", "overdue", "flagged", "answered", "all")
PUPIL_ROLES = (Role.STUDENT, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)


def writer_school(user: User) -> School:
    """The school a pupil writes to (their own)."""
    schools = School.objects.for_user(user).filter(pk__in=user.school_ids_with(*PUPIL_ROLES))
    return schools.order_by("pk").first()


def letterbox(user: User, shown: str = "unanswered") -> QuerySet[Letter]:
    """The letters of the user's schools (counseling side only: the writer's own are not in
    it), oldest unanswered first, so the weekly round starts with those waiting longest."""
    letters = Letter.objects.for_user(user).filter(
        school_id__in=user.school_ids_with(*COUNSELING_ROLES)
    )
    letters = letters.select_related("writer").annotate(reply_count=Count("replies"))
    if shown == "overdue":
        letters = letters.filter(answered_at__isnull=True, sent_on__lte=overdue_cutoff())
    elif shown == "flagged":
        letters = letters.exclude(flag_level="")
    elif shown == "answered":
        letters = letters.filter(answered_at__isnull=False)
    elif shown == "unanswered":
        letters = letters.filter(answered_at__isnull=True)
    if shown in ("answered", "all"):
        return letters.order_by("-sent_on", "-pk")
    return letters.order_by("sent_on", "pk")


def board_queue(user: User) -> dict:
    """The letterbox's part of the director's crisis board: unanswered letters, those past the
    week, and flagged letters not yet answered (their alerts are on the board already)."""
    waiting = letterbox(user, "unanswered")
    cutoff = overdue_cutoff()
    return {
        "unanswered": waiting.count(),
        "overdue": waiting.filter(sent_on__lte=cutoff).count(),
        "flagged": list(waiting.exclude(flag_level="")[:10]),
        "oldest": list(waiting.filter(sent_on__lte=cutoff)[:10]),
    }
