from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from xinqiao.core import directory
from xinqiao.core.backup_schedule import BACKUP_WATCHERS, backup_trouble
from xinqiao.core.home_links import role_links
from xinqiao.core.roles import ROLE_DUTIES, Role
from xinqiao.core.workbench import tiles_for


@login_required
def home(request):
    """The workbench: for each of the person's roles, what waits for them (tiles, counted by
    each app, core/workbench.py), what the role is for, and where to go."""
    # One card per role and school: a teacher of two classes holds the role twice.
    assignments = {
        (a.role, getattr(a.school, "pk", None)): a
        for a in directory.roles().assignments(request.user)
    }.values()
    roles = [
        {
            "code": a.role,
            "label": Role(a.role).label,
            "school": a.school,
            "duty": ROLE_DUTIES[a.role],
            "links": role_links(a.role),
            "tiles": tiles_for(request.user, a.role, getattr(a.school, "pk", None)),
        }
        for a in assignments
    ]
    watches_backups = any(role["code"] in BACKUP_WATCHERS for role in roles)
    return render(
        request,
        "core/home.html",
        {"roles": roles, "trouble": backup_trouble() if watches_backups else None},
    )
