"""The administrator's backups page: the last backups with their verification, a failed or
missing backup, when the keys were last exported and the export itself, and a button that runs
a backup as a task with a progress bar."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinqiao.core import backup, services, services_backup
from xinqiao.core.access import get_or_refuse
from xinqiao.core.backup_schedule import backup_trouble
from xinqiao.core.decorators import permission_required
from xinqiao.core.forms import KeyExportForm
from xinqiao.core.models import BackupRun, SecurityEvent

PERMISSION = "core.manage_backups"


def _page(request, form: KeyExportForm, *, status: int = 200):
    runs = BackupRun.objects.for_user(request.user)
    backups = runs.filter(kind=BackupRun.Kind.BACKUP)
    return render(
        request,
        "core/backups.html",
        {
            "backups": backups.select_related("requested_by")[:20],
            "never_backed_up": not backups.filter(status=BackupRun.Status.VERIFIED).exists(),
            "trouble": backup_trouble(),
            "last_export": runs.filter(kind=BackupRun.Kind.KEY_EXPORT).first(),
            "form": form,
            "backup_dir": settings.BACKUP_DIR,
            "backup_copy_dir": settings.BACKUP_COPY_DIR,
        },
        status=status,
    )


@permission_required(PERMISSION)
def backup_list(request):
    return _page(request, KeyExportForm(request.user))


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


@require_POST
@permission_required(PERMISSION)
def key_export(request):
    """The key file as a download, once the password and the passphrase (twice) are right."""
    form = KeyExportForm(request.user, request.POST)
    if not form.is_valid():
        if form.has_error("password", "wrong_password"):
            services.security_event_record(
                kind=SecurityEvent.Kind.KEYS_EXPORT_REFUSED, user=request.user, request=request
            )
        return _page(request, form, status=400)
    try:
        content = services_backup.key_export_download(
            actor=request.user, passphrase=form.cleaned_data["passphrase1"], request=request
        )
    except backup.BackupError as error:
        form.add_error(None, str(error))
        return _page(request, form, status=400)
    response = HttpResponse(content, content_type="text/plain; charset=us-ascii")
    name = f"xinqiao-keys-{timezone.localdate():%Y%m%d}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
