"""Access rows of the work network, the post duties and the leadership group's management."""

from __future__ import annotations

from tests.access import ALL_EXTRAS, EVERYONE, STAFF, Route
from xinqiao.people.models import WorkGroup, WorkGroupMember

MANAGERS = frozenset({"admin", "principal", "vice_principal"})


def leadership_group(cast) -> WorkGroup:
    group, _ = WorkGroup.objects.get_or_create(
        school=cast.school, kind=WorkGroup.Kind.LEADERSHIP, defaults={"name": "领导小组"}
    )
    return group


def a_member(cast) -> WorkGroupMember:
    """Re-created before each request, since an allowed role's request removes it."""
    member, _ = WorkGroupMember.objects.get_or_create(
        group=leadership_group(cast), user=cast.counselor, defaults={"position": "member"}
    )
    return member


ROUTES = [
    # The admin has two schools and gets the school choice; everyone else their school's tree.
    Route("people:network", STAFF),
    # What a post's holder does is everyone's to read (the kwarg names a role, not an object).
    Route("people:post_duties", EVERYONE, kwargs={"role": "class_teacher"}, extras=ALL_EXTRAS),
    Route("people:post_duties", EVERYONE, kwargs={"role": "student"}, extras=ALL_EXTRAS),
    Route("people:work_groups", MANAGERS, kwargs={"school_id": "own"}),
    Route("people:work_group_create", MANAGERS, kwargs={"school_id": "own"}),
    # An empty form: allowed roles see it again with its errors; nothing is created.
    Route(
        "people:work_group_create", MANAGERS, kwargs={"school_id": "own"}, method="post", data={}
    ),
    Route("people:work_group_detail", MANAGERS, kwargs={"pk": lambda c: leadership_group(c).pk}),
    Route(
        "people:work_group_member_add",
        MANAGERS,
        kwargs={"pk": lambda c: leadership_group(c).pk},
        method="post",
        data={},
    ),
    Route(
        "people:work_group_member_remove",
        MANAGERS,
        kwargs={"pk": lambda c: leadership_group(c).pk, "member_id": lambda c: a_member(c).pk},
        method="post",
        ok=(302,),
    ),
]
