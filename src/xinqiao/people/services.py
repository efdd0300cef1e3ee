from __future__ import annotations

from django.db import transaction

from xinqiao.core.models import User
from xinqiao.people.models import District, RoleAssignment, School


def role_assign(
    *, user: User, role: str, school: School | None = None, district: District | None = None
) -> RoleAssignment:
    with transaction.atomic():
        assignment, _created = RoleAssignment.objects.get_or_create(
            user=user, role=role, school=school, defaults={"district": district}
        )
    user.forget_roles()
    return assignment
