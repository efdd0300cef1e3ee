"""The administrator's backups page: the last backups with their verification, when the keys
were last exported, and a button that runs a backup as a task with a progress bar."""

from __future__ import annotations

import datetime

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinqiao.core import services_backup
from xinqiao.core.access import get_or_refuse
from xinqiao.core.decorators import permission_required
from xinqiao.core.models import BackupRun

PERMISSION = "core.manage_backups"
OVERDUE_AFTER = datetime.timedelta(hours=26)


@permission_required(PERMISSION)
def backup_list(request):
    runs = BackupRun.objects.for_user(request.user)
    return render(
        request,
        "core/backups.html",
        {
            "backups": runs.filter(kind=BackupRun.Kind.BACKUP).select_related("requested_by")[:20],
            "last_export": runs.filter(kind=BackupRun.Kind.KEY_EXPORT).first(),
            # The nightly backup runs only while the worker does: a missing one shows here.
            "overdue": not runs.filter(
                kind=BackupRun.Kind.BACKUP,
                status=BackupRun.Status.VERIFIED,
                finished_at__gte=timezone.now() - OVERDUE_AFTER,
            ).exists(),
        },
    )


@require_POST
@permission_required(PERMISSION)
def backup_start(request):
    run = services_backup.backup_run_start(actor=request.user)
    if request.htmx:
        return render(request, "core/backup_progress.html", {"run": run})
    return redirect("core:backups")


@permission_required(PERMISSION)
def backup_progress(request, pk):
    run = get_or_refuse(request, BackupRun, pk, PERMISSION)
    return render(request, "core/backup_progress.html", {"run": run})
