"""Who may see and handle crisis alerts (views, API, templates).

The counseling side of the school (director, counselors) sees and handles the school's alerts;
whoever raised an alert (e.g. the duty person who took the call) may follow its state, never
its evidence. Leadership will see the alerts addressed to them once escalation exists.
"""

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_counseling_staff, is_director


@rules.predicate
def raised_the_alert(user, alert) -> bool:
    return alert is not None and alert.raised_by_id is not None and alert.raised_by_id == user.pk


rules.add_perm("crisis.view_alert", is_counseling_staff | raised_the_alert)
rules.add_perm("crisis.change_alert", is_counseling_staff)

# The crisis record, the disclosure register and emergency access (issue 14 items 5 and 6).
rules.add_perm("crisis.view_disclosures", is_director)
# Break-glass: a counselor or the principal, when no director answers (DESIGN.md principle 1).
rules.add_perm("crisis.open_emergency_access", has_role(Role.COUNSELOR, Role.PRINCIPAL))
rules.add_perm("crisis.review_emergency_access", is_director)
