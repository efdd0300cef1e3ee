"""The nightly backup: rotation (7 daily, 4 weekly, 12 monthly by default), a second folder,
and a failure that reaches the administrator and the directors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xinqiao.core import backup_schedule
from xinqiao.core.models import BackupRun, Notification


def named(day: dt.date, hour: int = 2) -> Path:
    return Path(f"/backups/xinqiao-{day:%Y%m%d}-{hour:02d}3000-abc123.xqbak")


def test_rotation_keeps_seven_days_four_weeks_and_twelve_months():
    today = dt.date(2026, 12, 3)
    paths = [named(today - dt.timedelta(days=n)) for n in range(500)]
    kept = backup_schedule.rotation_keep(paths, daily=7, weekly=4, monthly=12)
    assert {named(today - dt.timedelta(days=n)) for n in range(7)} <= kept
    weeks = {backup_schedule._taken_at(p).isocalendar()[:2] for p in kept}
    assert len(weeks) >= 4
    months = sorted({(t.year, t.month) for t in map(backup_schedule._taken_at, kept)})
    assert len(months) == 12 and months[0] == (2026, 1)
    assert len(kept) <= 7 + 4 + 12
    # Each month is kept by its newest backup.
    assert named(dt.date(2026, 1, 31)) in kept and named(dt.date(2026, 1, 30)) not in kept


def test_rotation_keeps_the_newest_backup_of_a_day_and_files_it_did_not_write():
    day = dt.date(2026, 12, 3)
    early, late, foreign = named(day, 1), named(day, 23), Path("/backups/copied-by-hand.xqbak")
    kept = backup_schedule.rotation_keep([early, late, foreign], daily=1, weekly=0, monthly=0)
    assert kept == {late, foreign}


@pytest.fixture
def folders(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_COPY_DIR = tmp_path / "second-disk"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY, settings.BACKUP_KEEP_MONTHLY = 2, 0, 0
    return tmp_path


def test_the_nightly_backup_is_verified_copied_to_the_second_folder_and_rotated(cast, folders):
    old = folders / "backups"
    old.mkdir()
    for days in (3, 4, 5):
        (old / named(dt.date(2026, 1, 1) - dt.timedelta(days=days)).name).write_bytes(b"old")
    (old / named(dt.date(2026, 1, 1)).name).write_bytes(b"old")
    run = backup_schedule.scheduled_backup()
    assert run.status == BackupRun.Status.VERIFIED, run.message
    new = Path(run.file_name)
    assert sorted(p.name for p in old.iterdir()) == sorted(
        [named(dt.date(2026, 1, 1)).name, new.name]
    )
    assert (folders / "second-disk" / new.name).read_bytes() == new.read_bytes()
    assert not Notification.objects.exists()


def test_a_nightly_backup_that_cannot_be_written_reaches_the_admin_and_the_directors(
    cast, settings, tmp_path
):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    settings.BACKUP_DIR = blocked / "backups"
    settings.BACKUP_COPY_DIR = None
    run = backup_schedule.scheduled_backup()
    assert run.status == BackupRun.Status.FAILED
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"admin", "director"} <= told
    assert not told & {"counselor", "duty", "class_teacher", "principal"}
    assert "foreign_director" in told  # every school's director: the server is theirs too
