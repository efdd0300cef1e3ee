"""Who may make, list and download research exports (views, API, templates alike).

A school's director (seed 000: the head of the counseling room decides who reads its materials)
exports de-identified data of their school; the district center (DESIGN.md: de-identified
aggregates across schools) exports across the schools of its district. Nobody else: the
exports are de-identified, but they are still data about pupils' troubles.
"""

from __future__ import annotations

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role


@rules.predicate
def owns_export_scope(user, export) -> bool:
    """The director of the export's school, or the district center of its district."""
    if export is None:
        return False
    if export.school_id is not None:
        return user.has_role(Role.DIRECTOR, school_id=export.school_id)
    return user.has_role(Role.DISTRICT) and export.district_id in user.district_ids


# By role alone (the menu asks it without an object); the form offers the schools the person
# directs and the districts whose center they are.
rules.add_perm("reports.make_research_export", has_role(Role.DIRECTOR, Role.DISTRICT))
rules.add_perm("reports.view_research_export", owns_export_scope)
rules.add_perm("reports.download_research_export", owns_export_scope)
