"""The crisis app's workbench tile (core/workbench.py): the alerts still open."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.crisis.models import Alert


def open_alerts(user, school_id) -> int:
    """The alert list's default filter (open): raised, acknowledged or in intervention."""
    alerts = Alert.objects.for_user(user).filter(school_id=school_id)
    return alerts.filter(state__in=Alert.OPEN_STATES).count()


def register() -> None:
    register_tile(
        [Role.DIRECTOR, Role.COUNSELOR],
        Tile("alerts", _("Open alerts"), "siren", "crisis:alert_list", open_alerts, order=1),
    )
