"""The crisis app's workbench tiles (core/workbench.py): the alerts still open, the weekly
report to send, and the classmates named in a class's reports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, register_tile
from xinqiao.crisis.models import Alert
from xinqiao.crisis.selectors_reports import open_worries, reporter_units


def open_alerts(user, school_id) -> int:
    """The alert list's default filter (open): raised, acknowledged or in intervention."""
    alerts = Alert.objects.for_user(user).filter(school_id=school_id)
    return alerts.filter(state__in=Alert.OPEN_STATES).count()


def reports_to_write(user, school_id) -> int:
    """This week's reports of the reporter's class or dormitory not sent yet (我的晴雨表)."""
    units = reporter_units(user)
    return sum(1 for unit in units if unit.week is not None and unit.report is None)


def register() -> None:
    register_tile(
        [Role.CLASS_TEACHER],
        Tile(
            "named_in_reports",
            _("Students named in my class's weekly reports"),
            "users",
            "crisis:worried_list",
            # Whom the committee member or liaison named, never why (crisis/rules_reports.py).
            lambda user, school_id: open_worries(user).filter(report__school_id=school_id).count(),
            order=25,
        ),
    )
    register_tile(
        [Role.COMMITTEE_MEMBER, Role.DORM_LIAISON],
        Tile(
            "weekly_report",
            _("This week's report to send"),
            "clipboard-list",
            "crisis:report_mine",
            reports_to_write,
            order=5,
        ),
    )
    register_tile(
        [Role.DIRECTOR, Role.COUNSELOR],
        Tile("alerts", _("Open alerts"), "siren", "crisis:alert_list", open_alerts, order=1),
    )
