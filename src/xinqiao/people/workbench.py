"""The people app's workbench tile (core/workbench.py): the district center's schools."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.people.models import School


def register() -> None:
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
