"""The people app's workbench tiles (core/workbench.py): the district center's schools and the
accounts the administrator has still to issue."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.people.accounts import accounts_not_issued
from xinqiao.people.models import School


def register() -> None:
    register_tile(
        [Role.ADMIN],
        Tile(
            "accounts_not_issued",
            _("Accounts not yet issued"),
            "user-plus",
            "people:account_issue",
            lambda user, school_id: accounts_not_issued(None if school_id is None else [school_id]),
            order=5,
        ),
    )
    register_tile(
        [Role.DISTRICT],
        Tile(
            "schools",
            _("Schools of the district"),
            "house",
            "people:school_list",
            lambda user, school_id: School.objects.for_user(user).count(),
            order=10,
        ),
    )
