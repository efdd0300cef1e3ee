"""The screening app's workbench tiles (core/workbench.py): each counts what its list shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, once_a_page, register_tile
from xinqiao.screening.models import Campaign, FollowUp
from xinqiao.screening.selectors import (
    child_participations,
    follow_ups_for_counseling,
    questionnaires_to_fill,
)

PENDING = FollowUp.Conclusion.PENDING


def follow_ups_pending(user, school_id) -> int:
    follow_ups = follow_ups_for_counseling(user).filter(conclusion=PENDING)
    return follow_ups.filter(school_id=school_id).count()


def my_follow_ups_pending(user, school_id) -> int:
    follow_ups = follow_ups_for_counseling(user).filter(conclusion=PENDING, assigned_to=user)
    return follow_ups.count()


def announced_for_children(user, school_id) -> int:
    """The campaigns still announced on the guardian's list: notices to read, opt-outs open."""
    return child_participations(user).filter(campaign__state=Campaign.State.ANNOUNCED).count()


def questionnaires_waiting(user, school_id) -> int:
    """Counted once a page: a committee member's card shows what their student card does."""
    return once_a_page(user, ("questionnaires",), lambda: questionnaires_to_fill(user).count())


def register() -> None:
    register_tile(
        [Role.GUARDIAN],
        Tile(
            "child_questionnaires",
            _("Questionnaires announced for my children"),
            "notebook-pen",
            "screening:child_notices",
            announced_for_children,
            order=40,
        ),
    )
    register_tile(
        [Role.STUDENT, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON],
        Tile(
            "questionnaires",
            _("Questionnaires to fill in"),
            "notebook-pen",
            "screening:my_questionnaires",
            questionnaires_waiting,
            order=10,
            live=True,  # a campaign's window opens at its hour
        ),
    )
    register_tile(
        [Role.COUNSELOR],
        Tile(
            "my_follow_ups",
            _("Screening interviews assigned to me"),
            "user-check",
            "screening:follow_up_list",
            my_follow_ups_pending,
            order=30,
            query=f"conclusion={PENDING}&mine=1",
        ),
    )
    register_tile(
        [Role.DIRECTOR],
        Tile(
            "follow_ups",
            _("Screening interviews to hold"),
            "user-check",
            "screening:follow_up_list",
            follow_ups_pending,
            order=40,
            query=f"conclusion={PENDING}",
        ),
    )
