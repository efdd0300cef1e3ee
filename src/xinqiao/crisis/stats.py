"""The crisis figures leadership sees (issue 17: alerts and response times): counts and times
only, never which students."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from xinqiao.crisis.models import Alert, AlertEvent


@dataclass(frozen=True)
class AlertFigures:
    raised: int
    answered: int  # alerts someone acted on (acknowledged, took up, resolved or dismissed)
    median_minutes: int | None  # raised → first action; None when none was answered


def alert_figures(school_id: int, start: datetime.datetime, end: datetime.datetime) -> AlertFigures:
    """Alerts raised in the school from ``start`` to ``end`` (exclusive) and how long the first
    action on each took (its first step out of "raised", alert_events)."""
    alerts = Alert.objects.filter(school_id=school_id, raised_at__gte=start, raised_at__lt=end)
    first_action: dict[int, tuple[datetime.datetime, datetime.datetime]] = {}
    events = AlertEvent.objects.filter(alert__in=alerts, from_state=Alert.State.RAISED).values_list(
        "alert_id", "alert__raised_at", "at"
    )
    for alert_id, raised_at, at in events.order_by("at"):
        first_action.setdefault(alert_id, (raised_at, at))
    minutes = [(at - raised).total_seconds() / 60 for raised, at in first_action.values()]
    return AlertFigures(
        raised=alerts.count(),
        answered=len(minutes),
        median_minutes=round(statistics.median(minutes)) if minutes else None,
    )
