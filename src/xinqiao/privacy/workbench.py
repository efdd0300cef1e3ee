"""The privacy app's workbench tile: reading patterns the director has still to review."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.privacy.models import AccessFlag


def flags_to_review(user, school_id) -> int:
    """The flag list's default filter (待核查): not reviewed yet."""
    flags = AccessFlag.objects.for_user(user).filter(school_id=school_id)
    return flags.filter(reviewed_at__isnull=True).count()


def register() -> None:
    register_tile(
        [Role.DIRECTOR],
        Tile(
            "flags",
            _("Reading patterns to review"),
            "shield",
            "privacy:flag_list",
            flags_to_review,
            order=50,
        ),
    )
