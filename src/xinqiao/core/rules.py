"""Shared predicates for every app's rules.py.

Each app declares its permissions with these building blocks, e.g.::

    rules.add_perm("cases.view_case", is_case_counselor | has_role_in_school(Role.DIRECTOR))

Predicates take ``(user, obj=None)``; with an object, school-bound roles only count in the
object's school. Views (``@permission_required``), the API, templates (``{% has_perm %}``) and
exports all ask ``user.has_perm(...)`` so the rule lives in one place.
"""

from __future__ import annotations

import rules

from xinqiao.core.roles import INSTALLATION_ROLES, Role


def school_id_of(obj) -> int | None:
    """The school ``obj`` belongs to: its ``school_id``, or that of the related object its
    model names in ``school_parent`` (a leave request's shift, an opening period's room)."""
    if obj is None:
        return None
    if hasattr(obj, "school_id"):
        return obj.school_id
    if obj.__class__.__name__ == "School":
        return obj.pk
    parent = getattr(obj, "school_parent", None)
    if parent is not None:
        return school_id_of(getattr(obj, parent))
    return None


def has_role(*roles: str):
    """True when the user holds one of ``roles`` (in the object's school, if one is given)."""

    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user, obj=None) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        school_id = school_id_of(obj)
        if school_id is None:
            return user.has_role(*roles)
        installation_wide = set(roles) & INSTALLATION_ROLES
        return user.has_role(*roles, school_id=school_id) or user.has_role(*installation_wide)

    return predicate


is_admin = has_role(Role.ADMIN)
is_director = has_role(Role.DIRECTOR)
is_counseling_staff = has_role(Role.DIRECTOR, Role.COUNSELOR)
is_leadership = has_role(Role.PRINCIPAL, Role.VICE_PRINCIPAL)


@rules.predicate
def is_staff_member(user) -> bool:
    """Any role other than a pupil's or a family's."""
    return bool(getattr(user, "is_authenticated", False) and user.roles) and not (
        user.is_pupil_or_family
    )


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# Permissions of the platform itself.
rules.add_perm("core.view_security_events", is_admin)
rules.add_perm("core.unlock_account", is_admin)
rules.add_perm("core.manage_backups", is_admin)
rules.add_perm("core.review_retention", is_director)
rules.add_perm("core.use_api_tokens", is_staff_member)
rules.add_perm("core.view_api_docs", is_staff_member)
# Issue 14: the school's outside channels, and how urgent notices went out on them.
rules.add_perm("core.manage_delivery_channels", is_admin)
rules.add_perm("core.view_deliveries", is_admin | is_director)
