"""Crisis work (seeds 000, 001, 002): alerts and what grows around them.

One module per part: ``alert`` (the alert and its timeline); escalation, delivery, the
intervention record, network reports and danger phrases each add a module of their own.
"""

from xinqiao.crisis.models.alert import Alert, AlertEvent
from xinqiao.crisis.models.escalation import AlertEscalation, AlertNotice, EscalationPolicy
from xinqiao.crisis.models.phrases import DangerPhrase, PhraseFlag
from xinqiao.crisis.models.reports import (
    Mood,
    ReportChase,
    ReportForward,
    WeeklyReport,
    WorriedItem,
)

__all__ = [
    "Alert",
    "AlertEscalation",
    "AlertEvent",
    "AlertNotice",
    "DangerPhrase",
    "EscalationPolicy",
    "Mood",
    "PhraseFlag",
    "ReportChase",
    "ReportForward",
    "WeeklyReport",
    "WorriedItem",
]
