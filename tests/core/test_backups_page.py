"""The administrator's backups page: last backups and their verification, the last key export,
and a backup run as a task whose progress the page polls."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from xinqiao.core import services_backup
from xinqiao.core.models import BackupRun


@pytest.fixture
def backup_dirs(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path


def test_the_admin_sees_the_last_backups_and_when_the_keys_were_last_exported(cast, signed_in):
    failed = services_backup.backup_run_begin(actor=cast.admin)
    BackupRun.objects.filter(pk=failed.pk).update(status="failed", message="disk full")
    services_backup.key_export_record(actor=None, by="it-teacher", files=["fields.keys"])
    page = signed_in(cast.admin).get(reverse("core:backups")).content.decode()
    assert "disk full" in page
    assert "it-teacher" in page
    assert 'data-testid="keys-apart"' in page


def test_the_page_says_when_the_keys_were_never_exported(cast, signed_in):
    page = signed_in(cast.admin).get(reverse("core:backups")).content.decode()
    assert 'data-testid="last-key-export"><strong>' in page


def test_only_the_admin_sees_backup_runs(cast):
    services_backup.key_export_record(actor=cast.admin, files=["fields.keys"])
    assert BackupRun.objects.for_user(cast.admin).count() == 1
    for user in (cast.director, cast.principal, cast.counselor):
        assert not BackupRun.objects.for_user(user).exists()


def test_the_button_runs_a_verified_backup_as_a_task_and_the_progress_fragment_follows_it(
    cast, signed_in, backup_dirs, django_capture_on_commit_callbacks
):
    client = signed_in(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("core:backup_start"), headers={"HX-Request": "true"})
    assert 'data-testid="backup-run"' in started.content.decode()
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.VERIFIED, run.message
    assert run.requested_by == cast.admin and run.rows > 0
    assert list((backup_dirs / "backups").glob("*.xqbak"))
    fragment = client.get(reverse("core:backup_progress", args=[run.pk])).content.decode()
    assert 'data-status="verified"' in fragment and "hx-trigger" not in fragment


def test_a_running_backup_is_polled_with_its_progress(cast, signed_in):
    run = services_backup.backup_run_begin(actor=cast.admin)
    BackupRun.objects.filter(pk=run.pk).update(percent=40, step="table cases_case")
    fragment = signed_in(cast.admin).get(reverse("core:backup_progress", args=[run.pk]))
    html = fragment.content.decode()
    assert 'value="40"' in html and 'hx-trigger="every 1s"' in html


def test_a_backup_that_cannot_be_written_is_recorded_as_failed(cast, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    run = services_backup.backup_run_begin(actor=cast.admin)
    run = services_backup.backup_run_perform(run=run, to=blocked / "backups")
    assert run.status == BackupRun.Status.FAILED and run.message


def test_the_page_warns_when_no_backup_was_verified_in_the_last_day(cast, signed_in):
    client = signed_in(cast.admin)
    assert 'data-testid="backup-overdue"' in client.get(reverse("core:backups")).content.decode()
    run = services_backup.backup_run_begin(actor=cast.admin)
    BackupRun.objects.filter(pk=run.pk).update(status="verified", finished_at=timezone.now())
    assert (
        'data-testid="backup-overdue"' not in client.get(reverse("core:backups")).content.decode()
    )
