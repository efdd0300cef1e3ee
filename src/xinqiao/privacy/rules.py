"""Who may watch the access log (issue 16 item 2). One place for each permission: views, the
API, templates and the export ask these.

- The director of a school reads the school's log with its content (who read which student's
  file or which case, on which ground or grant), exports it, and reviews the flags.
- The supervision group (监督小组) inspects that reads are recorded, never what was read: the
  log without content (who, when, what was done, the kind of record), and its export.
- The administrator sees nothing of it: which students' files are read is itself counseling
  content (it tells who is in counseling), and an administrator runs the installation with
  no counseling content (DESIGN.md); the chain's integrity is theirs through
  ``xinqiao verify-audit``, which shows no rows.
"""

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_director

rules.add_perm("privacy.view_access_log", has_role(Role.DIRECTOR, Role.SUPERVISOR))
rules.add_perm("privacy.view_access_log_content", is_director)
rules.add_perm("privacy.export_access_log", has_role(Role.DIRECTOR, Role.SUPERVISOR))
rules.add_perm("privacy.view_access_flags", is_director)
rules.add_perm("privacy.review_access_flag", is_director)
