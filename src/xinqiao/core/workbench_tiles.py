"""Core's own tile on every workbench: the steps waiting for the person (待我处理)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile


def steps_waiting(user, school_id: int | None) -> int:
    """The steps of the "waiting for me" page (core/views/waiting.py), of the role's school."""
    from xinqiao.core.models import PendingStep

    steps = PendingStep.objects.for_user(user)
    if school_id is not None:
        steps = steps.filter(school_id=school_id)
    return steps.count()


def locked_accounts(user, school_id) -> int:
    from xinqiao.core.sign_in import locks_in_force

    return locks_in_force().count()


def backup_problems(user, school_id) -> int:
    """1 while the last backup failed or none was verified in a day (core/backup_schedule.py)."""
    from xinqiao.core.backup_schedule import backup_trouble

    return int(backup_trouble() is not None)


def register() -> None:
    register_tile(
        Role.values,
        Tile("waiting", _("Waiting for me"), "list-todo", "core:waiting", steps_waiting, order=0),
    )
    register_tile(
        [Role.ADMIN],
        Tile(
            "lockouts",
            _("Locked accounts"),
            "lock",
            "core:lockouts",
            locked_accounts,
            order=10,
            live=True,
        ),
    )
    register_tile(
        [Role.ADMIN],
        Tile(
            "backup_problems",
            _("Backup problems"),
            "database",
            "core:backups",
            backup_problems,
            order=20,
            live=True,
        ),
    )
