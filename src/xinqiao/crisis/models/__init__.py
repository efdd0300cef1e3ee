"""Crisis work (seeds 000, 001, 002): alerts and what grows around them.

One module per part: ``alert`` (the alert and its timeline); escalation, the intervention record
and disclosures, emergency access, network reports and danger phrases each have their own.
"""

from xinqiao.crisis.models.alert import Alert, AlertEvent
from xinqiao.crisis.models.emergency_access import EmergencyAccess
from xinqiao.crisis.models.escalation import AlertEscalation, AlertNotice, EscalationPolicy
from xinqiao.crisis.models.intervention import (
    CrisisRecord,
    Disclosure,
    FollowUp,
    GuardianContact,
    SafetyPlan,
)
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
    "CrisisRecord",
    "DangerPhrase",
    "Disclosure",
    "EmergencyAccess",
    "EscalationPolicy",
    "FollowUp",
    "GuardianContact",
    "Mood",
    "PhraseFlag",
    "ReportChase",
    "ReportForward",
    "SafetyPlan",
    "WeeklyReport",
    "WorriedItem",
]
