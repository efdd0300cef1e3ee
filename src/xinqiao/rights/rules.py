"""Who may do what with a guardian's record request (pages, API and templates alike).

The guardian who asked follows it, withdraws it before the decision and downloads the copy;
the director of the school takes it up, decides and releases; a counselor of one of the
child's cases reviews the session records (seed 001: nothing about a student is disclosed
without the review of the one who wrote it).
"""

from __future__ import annotations

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_counseling_staff, is_director


@rules.predicate
def is_requester(user, request) -> bool:
    return request is not None and request.guardian_id == user.pk


@rules.predicate
def holds_a_case_of_child(user, request) -> bool:
    """A counselor (or director) assigned to a case of the request's child, asked once per
    request object."""
    if request is None or not user.has_role(
        Role.COUNSELOR, Role.DIRECTOR, school_id=request.school_id
    ):
        return False
    held = request.__dict__.setdefault("_case_holders", {})
    if user.pk not in held:
        from xinqiao.cases.models import CaseCounselor

        held[user.pk] = CaseCounselor.objects.filter(
            user_id=user.pk, case__student_id=request.student_id
        ).exists()
    return held[user.pk]


@rules.predicate
def is_open(user, request) -> bool:
    return request is not None and request.is_open


@rules.predicate
def is_released(user, request) -> bool:
    return request is not None and request.state == request.State.RELEASED


is_guardian = has_role(Role.GUARDIAN)

# The menu and the guardian's pages.
rules.add_perm("rights.ask", is_guardian)
# The staff list: the director all of the school's, a counselor those of children they hold.
rules.add_perm("rights.view_request_list", is_counseling_staff)
rules.add_perm("rights.view_request", is_requester | is_director | holds_a_case_of_child)
rules.add_perm("rights.decide", is_director)
rules.add_perm("rights.review_notes", holds_a_case_of_child & is_open)
rules.add_perm("rights.withdraw", is_requester & is_open)
rules.add_perm("rights.download", (is_requester | is_director) & is_released)
