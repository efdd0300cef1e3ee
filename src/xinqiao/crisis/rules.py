"""Who may see and handle crisis alerts (views, API, templates).

The counseling side of the school (director, counselors) sees and handles the school's alerts
and reads their evidence; whoever raised an alert (e.g. the duty person who took the call) may
follow its state; a person its escalation told (the principal, the vice principal, the
leadership group, student affairs) sees its summary (who, what to do, the state, the timeline)
and may acknowledge it, never its evidence. A class teacher told what to do is not told why:
they see the instruction (``crisis:my_instructions``), not the alert.
"""

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_counseling_staff, is_director


@rules.predicate
def raised_the_alert(user, alert) -> bool:
    return alert is not None and alert.raised_by_id is not None and alert.raised_by_id == user.pk


# Who escalation may tell besides the counseling side (the menu asks without an alert).
may_be_told = has_role(Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.STUDENT_AFFAIRS)


@rules.predicate
def told_about_alert(user, alert) -> bool:
    """Told by its escalation (not as a class teacher); without an alert: may be told."""
    if alert is None:
        return may_be_told(user)
    from xinqiao.crisis.models import AlertNotice

    cache = alert.__dict__.setdefault("_told_about", {})
    if user.pk not in cache:
        cache[user.pk] = (
            AlertNotice.objects.filter(alert_id=alert.pk, recipient_id=user.pk)
            .exclude(role=AlertNotice.Role.CLASS_TEACHER)
            .exists()
        )
    return cache[user.pk]


rules.add_perm("crisis.view_alert", is_counseling_staff | raised_the_alert | told_about_alert)
rules.add_perm("crisis.change_alert", is_counseling_staff)
rules.add_perm("crisis.acknowledge_alert", is_counseling_staff | told_about_alert)
rules.add_perm("crisis.raise_alert", is_counseling_staff | has_role(Role.DUTY))
rules.add_perm("crisis.view_board", is_director)
rules.add_perm("crisis.manage_escalation", is_director)
rules.add_perm("crisis.view_instructions", has_role(Role.CLASS_TEACHER))

# Danger phrases (crisis/phrases.py): the director keeps the school's list; the counseling side
# dismisses a flag it judges a false alarm.
rules.add_perm("crisis.edit_phrases", is_director)
rules.add_perm("crisis.dismiss_flag", is_counseling_staff)

# The crisis record, the disclosure register and emergency access (issue 14 items 5 and 6).
rules.add_perm("crisis.view_disclosures", is_director)
# Break-glass: a counselor or the principal, when no director answers (DESIGN.md principle 1).
rules.add_perm("crisis.open_emergency_access", has_role(Role.COUNSELOR, Role.PRINCIPAL))
rules.add_perm("crisis.review_emergency_access", is_director)

from xinqiao.crisis import rules_reports  # noqa: E402, F401  (the weekly reports' permissions)
