"""Who holds which role: questions core asks and the people app answers.

core is the lowest layer and imports no app (DESIGN.md, layers); the people app, which owns
schools and role assignments, registers its answers in ``PeopleConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class RoleDirectory(Protocol):
    def role_map(self, user) -> dict[int | None, frozenset[str]]:
        """{school id, or None for installation-wide roles: the roles held there}; also sets
        ``user._district_ids``."""

    def assignments(self, user) -> list:
        """The user's role assignments in force, with their schools and units loaded."""

    def administrators_for(self, user) -> list:
        """The active system administrators of the user's schools and of the installation."""

    def grant_installation_role(self, user, role: str) -> None:
        """Give ``user`` a role that is not tied to a school (the first administrator's)."""

    def holders(self, school_id: int | None, role: str) -> Iterable:
        """The active people holding ``role`` in the school (None: installation-wide)."""

    def schools(self, user) -> list[tuple[int, str]]:
        """(id, name) of the schools the user sees, by name."""


_directory: RoleDirectory | None = None


def register(directory: RoleDirectory) -> None:
    global _directory
    _directory = directory


def roles() -> RoleDirectory:
    if _directory is None:
        raise ImproperlyConfigured("No role directory registered (is xinqiao.people installed?)")
    return _directory
