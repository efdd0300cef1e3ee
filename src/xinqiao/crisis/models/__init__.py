"""Crisis work (seeds 000, 001, 002): alerts and what grows around them.

One module per part: ``alert`` (the alert and its timeline); escalation, delivery, the
intervention record, network reports and danger phrases each add a module of their own.
"""

from xinqiao.crisis.models.alert import Alert, AlertEvent
from xinqiao.crisis.models.emergency_access import EmergencyAccess
from xinqiao.crisis.models.intervention import (
    CrisisRecord,
    Disclosure,
    FollowUp,
    GuardianContact,
    SafetyPlan,
)

__all__ = [
    "Alert",
    "AlertEvent",
    "CrisisRecord",
    "Disclosure",
    "EmergencyAccess",
    "FollowUp",
    "GuardianContact",
    "SafetyPlan",
]
