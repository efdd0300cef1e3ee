"""The nightly backup: rotation (7 daily, 4 weekly, 12 monthly by default), a second folder,
and a failed or missing backup that is shown to and reaches the administrator and the directors
once per incident."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

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


# --- a failed or missing backup: shown and told once per incident -----------------------------
def backup_at(when: dt.datetime, status: str = BackupRun.Status.VERIFIED) -> BackupRun:
    return BackupRun.objects.create(status=status, started_at=when, finished_at=when, percent=100)


def told() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("recipient__username", "title"))


@pytest.fixture
def night():
    """The night of the last good backup (every test passes its own ``now``: no sleeping)."""
    return dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)


def test_a_day_without_a_verified_backup_is_told_to_the_admin_and_directors_once(cast, night):
    backup_at(night)
    assert backup_schedule.backup_trouble(night + dt.timedelta(hours=25)) is None
    assert backup_schedule.backup_trouble_tell(night + dt.timedelta(hours=25)) is None
    assert not Notification.objects.exists()

    late = night + dt.timedelta(hours=27)
    trouble = backup_schedule.backup_trouble(late)
    assert trouble.kind == "missing" and trouble.since == night
    assert backup_schedule.backup_trouble_tell(late) is not None
    recipients = {name for name, _title in told()}
    assert {"admin", "director", "foreign_director"} <= recipients
    assert not recipients & {"counselor", "duty", "class_teacher", "principal"}
    urls = dict(Notification.objects.values_list("recipient__username", "url"))
    assert urls["admin"] == reverse("core:backups")
    assert urls["director"] == reverse("core:home")  # their status line; the page is the admin's
    first = told()
    for hours in (28, 29, 50):  # the hourly check goes on: nobody is told again
        assert backup_schedule.backup_trouble_tell(night + dt.timedelta(hours=hours)) is None
    assert told() == first


def test_a_failed_backup_is_told_once_and_a_later_verified_one_ends_the_incident(cast, night):
    backup_at(night)
    failed_at = night + dt.timedelta(days=1)
    backup_at(failed_at, BackupRun.Status.FAILED)
    trouble = backup_schedule.backup_trouble(failed_at + dt.timedelta(minutes=1))
    assert trouble.kind == "failed" and trouble.since == night
    assert backup_schedule.backup_trouble_tell(failed_at) is not None
    count = Notification.objects.count()
    # The same incident, now also missing for over a day: not told again.
    assert backup_schedule.backup_trouble_tell(failed_at + dt.timedelta(hours=5)) is None
    assert Notification.objects.count() == count

    good = failed_at + dt.timedelta(hours=8)
    backup_at(good)
    assert backup_schedule.backup_trouble(good + dt.timedelta(hours=1)) is None
    # A new incident later is told again.
    assert backup_schedule.backup_trouble_tell(good + dt.timedelta(hours=30)) is not None
    assert Notification.objects.count() == 2 * count


def test_a_new_installation_has_a_day_before_its_first_backup_is_missing(cast):
    installed = backup_schedule._installed_at()
    assert backup_schedule.backup_trouble(installed + dt.timedelta(hours=25)) is None
    trouble = backup_schedule.backup_trouble(installed + dt.timedelta(hours=27))
    assert trouble.kind == "missing" and trouble.since == installed


def test_nothing_is_missing_while_the_scheduled_backups_are_off(cast, settings, night):
    settings.BACKUP_SCHEDULE = False
    backup_at(night, BackupRun.Status.FAILED)
    assert backup_schedule.backup_trouble_tell(night + dt.timedelta(days=9)) is None
    assert not Notification.objects.exists()


def test_the_director_sees_a_failed_backup_on_the_home_page_and_a_counselor_does_not(
    cast, signed_in
):
    backup_at(timezone.now(), BackupRun.Status.FAILED)
    line = 'data-testid="backup-trouble" data-kind="failed"'
    director_home = signed_in(cast.director).get(reverse("core:home")).content.decode()
    assert line in director_home
    assert reverse("core:backups") not in director_home  # the admin's page, not theirs
    assert line in signed_in(cast.admin).get(reverse("core:home")).content.decode()
    for user in (cast.counselor, cast.principal, cast.class_teacher):
        assert (
            'data-testid="backup-trouble"'
            not in signed_in(user).get(reverse("core:home")).content.decode()
        )


def test_the_nightly_backup_runs_at_half_past_two_on_the_schools_clock(settings):
    from huey.contrib.djhuey import HUEY

    from xinqiao.core.tasks import nightly_backup

    assert HUEY.utc is False  # huey reads the process's local time: the school's time zone
    assert time.localtime().tm_gmtoff == 8 * 3600 and settings.TIME_ZONE == "Asia/Shanghai"
    night = dt.datetime(2026, 12, 3, settings.BACKUP_HOUR, 30)
    assert nightly_backup.s().validate_datetime(night)
    assert not nightly_backup.s().validate_datetime(night + dt.timedelta(hours=8))
