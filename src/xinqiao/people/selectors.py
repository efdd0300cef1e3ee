"""Reads of the organisation, each limited to what the asking user may see."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from xinqiao.core.access import NOTHING
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import GuardianLink, RoleAssignment, School

# Roles that see the whole roster (names, classes; never the family circumstances) of a school.
ROSTER_WIDE_ROLES = frozenset(
    {
        Role.PRINCIPAL,
        Role.VICE_PRINCIPAL,
        Role.DIRECTOR,
        Role.COUNSELOR,
        Role.STUDENT_AFFAIRS,
        Role.DUTY,
    }
)


def holders_of(school_id: int, *roles: str) -> QuerySet[User]:
    """The active people holding one of ``roles`` in the school now (posts of the current
    semester included), ordered by name."""
    holders = RoleAssignment.objects.in_force().filter(school_id=school_id, role__in=roles)
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )


def school_of(user) -> School:
    """The school the user acts for (the first of theirs; people rarely hold several)."""
    school = School.objects.for_user(user).filter(pk__in=user.school_ids).order_by("name").first()
    if school is None:
        raise PermissionDenied
    return school


def assignments_for_user(user) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        RoleAssignment.objects.in_force()
        .filter(user=user)
        .select_related("school", "school_class__grade", "grade", "dormitory")
        .order_by("school_id", "role")
    )


def role_map_for_user(user) -> dict[int | None, frozenset[str]]:
    roles: dict[int | None, set[str]] = defaultdict(set)
    district_ids: set[int] = set()
    in_force = RoleAssignment.objects.in_force().filter(user=user)
    for school_id, district_id, role in in_force.values_list("school_id", "district_id", "role"):
        roles[school_id].add(role)
        if district_id:
            district_ids.add(district_id)
    user._district_ids = frozenset(district_ids)
    return {key: frozenset(value) for key, value in roles.items()}


class PeopleRoleDirectory:
    """The people app's answers to core's questions about roles (core/directory.py)."""

    def role_map(self, user) -> dict[int | None, frozenset[str]]:
        return role_map_for_user(user)

    def assignments(self, user) -> list[RoleAssignment]:
        return assignments_for_user(user)

    def administrators_for(self, user) -> list[User]:
        where = Q(school_id__in=user.school_ids) | Q(school__isnull=True, district__isnull=True)
        holders = RoleAssignment.objects.in_force().filter(where, role=Role.ADMIN)
        return list(User.objects.filter(pk__in=holders.values("user_id"), is_active=True))

    def grant_installation_role(self, user, role: str) -> None:
        from xinqiao.people.services import role_assign

        role_assign(user=user, role=role)

    def holders(self, school_id: int | None, role: str) -> QuerySet[User]:
        return holders_of(school_id, role)

    def schools(self, user) -> list[tuple[int, str]]:
        return list(School.objects.for_user(user).order_by("name").values_list("pk", "name"))


def _post_units(user, role: str, field: str) -> set[int]:
    """The units (class, grade or dormitory ids) of the user's posts of ``role`` in force."""
    cache = user.__dict__.setdefault("_post_units", {})
    key = (role, field)
    if key not in cache and not user.has_role(role):
        cache[key] = set()  # no such post: the roles already loaded say so, no query
    if key not in cache:
        cache[key] = set(
            RoleAssignment.objects.in_force()
            .filter(user=user, role=role, **{f"{field}__isnull": False})
            .values_list(field, flat=True)
        )
    return cache[key]


def taught_class_ids(user) -> set[int]:
    return _post_units(user, Role.CLASS_TEACHER, "school_class")


def led_grade_ids(user) -> set[int]:
    return _post_units(user, Role.GRADE_LEADER, "grade")


def roster_wide_school_ids(user) -> set[int]:
    return {
        school_id
        for school_id, roles in user.role_map.items()
        if school_id is not None and roles & ROSTER_WIDE_ROLES
    }


def class_visibility_q(user) -> Q:
    """Classes: whole schools for roster-wide roles; own classes and grades for teachers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.has_role(Role.ADMIN):
        return Q()
    return (
        Q(school_id__in=roster_wide_school_ids(user))
        | Q(pk__in=taught_class_ids(user))
        | Q(grade_id__in=led_grade_ids(user))
    )


def student_visibility_q(user) -> Q:
    """Students: as their classes; a student sees only themself, a guardian their children."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.has_role(Role.ADMIN):
        return Q()
    return (
        Q(school_id__in=roster_wide_school_ids(user))
        | Q(school_class_id__in=taught_class_ids(user))
        | Q(school_class__grade_id__in=led_grade_ids(user))
        | Q(user_id=user.pk)
        | Q(pk__in=GuardianLink.objects.filter(guardian__user_id=user.pk).values("student_id"))
    )
