"""The letterbox's workbench tile (core/workbench.py): letters waiting for a reply."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.home_links import register_role_link
from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.letters.selectors import letterbox


def unanswered(user, school_id) -> int:
    """The letterbox's default filter: letters not answered yet."""
    return letterbox(user, "unanswered").filter(school_id=school_id).count()


def register() -> None:
    register_role_link(Role.STUDENT, _("Write a letter"), "letters:write")
    register_tile(
        [Role.DIRECTOR, Role.COUNSELOR],
        Tile("letters", _("Letters to answer"), "mail", "letters:letterbox", unanswered, order=45),
    )
