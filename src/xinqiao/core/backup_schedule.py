"""The nightly backup: written, verified, copied to a second place, rotated; a failure reaches
the administrator and the directors as a notice (seed 001: archives kept safe; 003: kept by a
named person)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xinqiao.core import services_backup
from xinqiao.core.models import BackupRun, Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role

NAME = re.compile(r"^xinqiao-(\d{8})-(\d{6})-[0-9a-f]+\.xqbak$")


def _taken_at(path: Path) -> dt.datetime | None:
    match = NAME.match(path.name)
    if not match:
        return None
    return dt.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")


def rotation_keep(paths: list[Path], *, daily: int, weekly: int, monthly: int) -> set[Path]:
    """The files to keep: the newest of each of the last ``daily`` days, ``weekly`` ISO weeks
    and ``monthly`` months that have a backup. Files not named by ``xinqiao backup`` are kept."""
    dated = sorted(((taken, p) for p in paths if (taken := _taken_at(p)) is not None), reverse=True)
    keep = {p for p in paths if _taken_at(p) is None}
    for limit, bucket in (
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ):
        seen: set = set()
        for taken, path in dated:
            key = bucket(taken)
            if key not in seen and len(seen) < limit:
                seen.add(key)
                keep.add(path)
    return keep


def rotate(folder: Path) -> list[Path]:
    """Delete the backups the rotation no longer keeps; the deleted paths."""
    paths = list(folder.glob("xinqiao-*.xqbak"))
    keep = rotation_keep(
        paths,
        daily=settings.BACKUP_KEEP_DAILY,
        weekly=settings.BACKUP_KEEP_WEEKLY,
        monthly=settings.BACKUP_KEEP_MONTHLY,
    )
    removed = sorted(set(paths) - keep)
    for path in removed:
        path.unlink()
    return removed


def _copy_verified(source: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copyfile(source, target)
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (source, target)}
    if len(digests) != 1:
        raise OSError(f"the copy in {folder} differs from the backup")


def _tell_failure(run: BackupRun) -> None:
    recipients = User.objects.filter(
        is_active=True, role_assignments__role__in=[Role.ADMIN, Role.DIRECTOR]
    ).distinct()
    with transaction.atomic():
        notify(
            recipients=recipients,
            title=_("The nightly backup failed"),
            body=_("Ask the administrator to look at the backups page today."),
            url=reverse("core:backups"),
            level=Notification.Level.URGENT,
            email=True,
        )


def scheduled_backup() -> BackupRun:
    """Write and verify tonight's backup, copy it to the second folder if one is set, rotate."""
    run = services_backup.backup_run_begin(actor=None, by="scheduled")
    run = services_backup.backup_run_perform(run=run, to=settings.BACKUP_DIR)
    if run.status == BackupRun.Status.VERIFIED:
        try:
            folders = [Path(settings.BACKUP_DIR)]
            if settings.BACKUP_COPY_DIR:
                _copy_verified(Path(run.file_name), Path(settings.BACKUP_COPY_DIR))
                folders.append(Path(settings.BACKUP_COPY_DIR))
            for folder in folders:
                rotate(folder)
        except OSError as error:
            run.status, run.message = BackupRun.Status.FAILED, str(error)[:500]
            run.save(update_fields=["status", "message"])
    if run.status != BackupRun.Status.VERIFIED:
        _tell_failure(run)
    return run
