"""The nightly backup: written, verified, copied to a second place, rotated; a failed or missing
backup is shown to the administrator and the directors and reaches them as a notice, once per
incident (seed 001: archives kept safe; 003: kept by a named person)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core import services_backup
from xinqiao.core.models import BackupIncident, BackupRun, Notification, User
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


#: Who is shown a failed or missing backup (the admin's page, the home page) and told of it.
BACKUP_WATCHERS = (Role.ADMIN, Role.DIRECTOR)
#: The nightly backup runs once a day: a day and two hours without a verified one is an incident.
MISSING_AFTER = dt.timedelta(hours=26)


@dataclass(frozen=True)
class BackupTrouble:
    kind: str  # a BackupIncident.Kind
    since: dt.datetime  # the last verified backup, or the installation when there was none


def _installed_at() -> dt.datetime:
    first = (
        MigrationRecorder(connection)
        .migration_qs.order_by("applied")
        .values_list("applied", flat=True)
        .first()
    )
    return first or timezone.now()


def backup_trouble(now: dt.datetime | None = None) -> BackupTrouble | None:
    """Failed: the last backup that ended did not end verified. Missing: no verified backup in
    the last 26 hours (the worker is not running, or the nightly job never ends). Nothing
    while the scheduled backups are off (XINQIAO_BACKUP_SCHEDULE)."""
    if not settings.BACKUP_SCHEDULE:
        return None
    now = now or timezone.now()
    backups = BackupRun.objects.filter(kind=BackupRun.Kind.BACKUP)
    since = (
        backups.filter(status=BackupRun.Status.VERIFIED, finished_at__lte=now)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    ) or _installed_at()
    last_status = (
        backups.exclude(status=BackupRun.Status.RUNNING)
        .filter(started_at__lte=now)
        .order_by(F("finished_at").desc(nulls_last=True), "-started_at")
        .values_list("status", flat=True)
        .first()
    )
    if last_status == BackupRun.Status.FAILED:
        return BackupTrouble(BackupIncident.Kind.FAILED, since)
    if since < now - MISSING_AFTER:
        return BackupTrouble(BackupIncident.Kind.MISSING, since)
    return None


def _watchers(roles: list[str]):
    return User.objects.filter(is_active=True, role_assignments__role__in=roles).distinct()


def backup_trouble_tell(now: dt.datetime | None = None) -> BackupIncident | None:
    """Tell the administrators and every director of a failed or missing backup, once per
    incident (the incident's start is unique in the database); the new incident or None."""
    trouble = backup_trouble(now)
    if trouble is None:
        return None
    title = (
        _("The backup failed")
        if trouble.kind == BackupIncident.Kind.FAILED
        else _("No backup for more than a day")
    )
    try:
        with transaction.atomic():
            incident = BackupIncident.objects.create(
                since=trouble.since, kind=trouble.kind, told_at=now or timezone.now()
            )
            admins = _watchers([Role.ADMIN])
            # The directors' notice leads to their home page's status line: the backups page
            # is the administrator's.
            for recipients, url in (
                (admins, reverse("core:backups")),
                (_watchers([Role.DIRECTOR]).exclude(pk__in=admins), reverse("core:home")),
            ):
                notify(
                    recipients=recipients,
                    title=title,
                    body=_("Ask the administrator to look at the backups page today."),
                    url=url,
                    level=Notification.Level.URGENT,
                    email=True,
                )
    except IntegrityError:  # told already: the same incident
        return None
    return incident


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
        backup_trouble_tell()
    return run
