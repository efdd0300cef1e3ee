"""State changes of escalation settings (the alert's own steps are in crisis/escalation.py)."""

from __future__ import annotations

import datetime

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.crisis.models import EscalationPolicy
from xinqiao.people.models import School


@service
def escalation_policy_save(
    *,
    actor: User,
    school: School,
    crisis_minutes: int,
    school_day_ends_at: datetime.time,
    concern_days: int,
) -> EscalationPolicy:
    """Set the school's deadlines; the change history keeps the old values. Deadlines already
    set keep theirs; the next step of each alert is set by the new ones."""
    policy, _created = EscalationPolicy.objects.select_for_update().get_or_create(school=school)
    policy.crisis_minutes = crisis_minutes
    policy.school_day_ends_at = school_day_ends_at
    policy.concern_days = concern_days
    policy.updated_by = actor
    policy.full_clean()
    policy.save()
    return policy
