"""Who may see and handle crisis alerts (views, API, templates).

The counseling side of the school (director, counselors) sees and handles the school's alerts;
whoever raised an alert (e.g. the duty person who took the call) may follow its state, never
its evidence. Leadership will see the alerts addressed to them once escalation exists.
"""

import rules

from xinqiao.core.rules import is_counseling_staff, is_director


@rules.predicate
def raised_the_alert(user, alert) -> bool:
    return alert is not None and alert.raised_by_id is not None and alert.raised_by_id == user.pk


rules.add_perm("crisis.view_alert", is_counseling_staff | raised_the_alert)
rules.add_perm("crisis.change_alert", is_counseling_staff)

from xinqiao.crisis import rules_reports  # noqa: E402, F401  (the weekly reports' permissions)

# Danger phrases (crisis/phrases.py): the director keeps the school's list; the counseling side
# dismisses a flag it judges a false alarm.
rules.add_perm("crisis.edit_phrases", is_director)
rules.add_perm("crisis.dismiss_flag", is_counseling_staff)
