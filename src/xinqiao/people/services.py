"""State changes of the organisation: people, accounts-to-be, posts."""

from __future__ import annotations

from django.db import transaction

from xinqiao.core.models import User
from xinqiao.people.models import (
    District,
    Dormitory,
    Grade,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
)


def user_for_roster(*, username: str, full_name: str) -> User:
    """The account of a roster person: inactive, no usable password until it is issued."""
    user = User(username=username, full_name=full_name, is_active=False)
    user.set_unusable_password()
    user.save()
    return user


def role_assign(
    *,
    user: User,
    role: str,
    school: School | None = None,
    district: District | None = None,
    semester: Semester | None = None,
    grade: Grade | None = None,
    school_class: SchoolClass | None = None,
    dormitory: Dormitory | None = None,
) -> RoleAssignment:
    """Give ``user`` a role (or a post, when a semester and a unit are named). Idempotent."""
    with transaction.atomic():
        assignment, _created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            school=school,
            semester=semester,
            grade=grade,
            school_class=school_class,
            dormitory=dormitory,
            defaults={"district": district},
        )
    user.forget_roles()
    user.__dict__.pop("_post_units", None)
    return assignment


def role_withdraw(*, assignment: RoleAssignment) -> None:
    with transaction.atomic():
        assignment.delete()
    assignment.user.forget_roles()
    assignment.user.__dict__.pop("_post_units", None)
