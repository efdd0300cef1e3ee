"""Backup runs and key exports as the administrator's page records them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core import backup
from xinqiao.core.key_export import keys_export
from xinqiao.core.models import BackupRun, SecurityEvent, User
from xinqiao.core.services import security_event_record


def _name(actor: User | None, by: str) -> str:
    return by or (actor.username if actor is not None else "")


def backup_run_begin(*, actor: User | None, by: str = "") -> BackupRun:
    """Record a backup about to run."""
    return BackupRun.objects.create(
        kind=BackupRun.Kind.BACKUP, requested_by=actor, requested_by_name=_name(actor, by)
    )


def backup_run_start(*, actor: User) -> BackupRun:
    """The web page's button: record the run and queue it as a task."""
    from xinqiao.core.tasks import run_backup

    run = backup_run_begin(actor=actor)
    transaction.on_commit(lambda: run_backup(run.pk))
    return run


def backup_file_verify(path: Path) -> None:
    """Decrypt a new backup file and check its manifest and every member's hash."""
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".verify-") as tmp:
        backup.open_backup(path, Path(tmp))


def backup_run_perform(
    *, run: BackupRun, to: Path | None = None, echo: backup.Progress = backup.no_progress
) -> BackupRun:
    """Write the backup, verify it, and record the outcome on ``run``; progress is saved as it
    goes so the page's progress bar can follow it (and passed to ``echo``)."""

    def progress(step: str, percent: int) -> None:
        BackupRun.objects.filter(pk=run.pk).update(step=step[:200], percent=min(percent, 95))
        echo(step, percent)

    try:
        result = backup.backup(to=to, by=run.requested_by_name, progress=progress)
        progress(_("verifying the new file"), 95)
        backup_file_verify(result.path)
    except (backup.BackupError, OSError) as error:  # OSError: a disk full or not writable
        run.status, run.message = BackupRun.Status.FAILED, str(error)[:500]
    else:
        run.status = BackupRun.Status.VERIFIED
        run.file_name = str(result.path)
        run.size = result.path.stat().st_size
        run.rows = sum(table["rows"] for table in result.manifest["tables"].values())
    run.percent, run.finished_at = 100, timezone.now()
    run.save(
        update_fields=["status", "message", "file_name", "size", "rows", "percent", "finished_at"]
    )
    return run


def key_export_record(
    *, actor: User | None, by: str = "", files: list[str], request=None
) -> BackupRun:
    """Record an export of the keys: on the backups page (when, by whom) and among the
    security events."""
    now = timezone.now()
    with transaction.atomic():
        security_event_record(
            kind=SecurityEvent.Kind.KEYS_EXPORTED,
            user=actor,
            username=_name(actor, by),
            actor=actor,
            request=request,
        )
        return BackupRun.objects.create(
            kind=BackupRun.Kind.KEY_EXPORT,
            status=BackupRun.Status.VERIFIED,
            finished_at=now,
            started_at=now,
            requested_by=actor,
            requested_by_name=_name(actor, by),
            percent=100,
            message=", ".join(files)[:500],
        )


def key_export_download(*, actor: User, passphrase: str, request=None) -> bytes:
    """The administrator's page: the same export as ``xinqiao keys export``, written into a
    private temporary folder and handed back for the download; recorded."""
    backup.ensure_backup_key()
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".keys-") as tmp:
        out = Path(tmp) / "keys.txt"
        files = keys_export(passphrase, out)
        content = out.read_bytes()
    key_export_record(actor=actor, files=files, request=request)
    return content


def backup_runs_settle_after_restore() -> int:
    """A restored database holds the run that was writing the backup as still running: its
    outcome belongs to the machine it ran on."""
    return BackupRun.objects.filter(status=BackupRun.Status.RUNNING).update(
        status=BackupRun.Status.FAILED,
        percent=100,
        message=_("outcome unknown here: this data was restored from the backup it was writing"),
    )
