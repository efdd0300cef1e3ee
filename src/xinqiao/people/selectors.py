from __future__ import annotations

from collections import defaultdict

from xinqiao.people.models import RoleAssignment


def assignments_for_user(user) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        RoleAssignment.objects.filter(user=user).select_related("school").order_by("school_id")
    )


def role_map_for_user(user) -> dict[int | None, frozenset[str]]:
    roles: dict[int | None, set[str]] = defaultdict(set)
    district_ids: set[int] = set()
    for school_id, district_id, role in RoleAssignment.objects.filter(user=user).values_list(
        "school_id", "district_id", "role"
    ):
        roles[school_id].add(role)
        if district_id:
            district_ids.add(district_id)
    user._district_ids = frozenset(district_ids)
    return {key: frozenset(value) for key, value in roles.items()}
