"""The administrator's backups page: last backups and their verification, the last key export
and the export itself, and a backup run as a task whose progress the page polls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from xinqiao.core import access_log, key_export, services_backup
from xinqiao.core.forms import KeyExportForm
from xinqiao.core.models import BackupRun, SecurityEvent


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


def test_the_page_asks_for_a_first_backup_and_warns_when_the_last_one_is_over_a_day_old(
    cast, signed_in
):
    client = signed_in(cast.admin)
    page = client.get(reverse("core:backups")).content.decode()
    assert 'data-testid="backup-none"' in page and 'data-testid="backup-trouble"' not in page
    run = services_backup.backup_run_begin(actor=cast.admin)
    BackupRun.objects.filter(pk=run.pk).update(
        status="verified", finished_at=timezone.now() - dt.timedelta(hours=27)
    )
    page = client.get(reverse("core:backups")).content.decode()
    assert 'data-testid="backup-trouble" data-kind="missing"' in page
    assert 'data-testid="backup-none"' not in page


# --- the key export ---------------------------------------------------------------------------
PASSPHRASE = "four words kept apart"


@pytest.fixture
def data_dir(settings, tmp_path):
    """A data directory of the test's own: its keys/ gets the backup key the export creates."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


def export(client, **fields):
    data = {"password": TEST_PASSWORD, "passphrase1": PASSPHRASE, "passphrase2": PASSPHRASE}
    return client.post(reverse("core:key_export"), {**data, **fields})


def test_the_admin_downloads_the_keys_locked_with_the_passphrase_and_the_export_is_recorded(
    cast, signed_in, data_dir, settings, tmp_path
):
    access_log.ensure_audit_key()
    response = export(signed_in(cast.admin))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="xinqiao-keys-')
    assert "no-store" in response["Cache-Control"]
    saved = tmp_path / "download.txt"
    saved.write_bytes(response.content)
    files = key_export.read_export(PASSPHRASE, saved)
    # The field keys and the access-log key live outside keys/ in the tests (XINQIAO_KEY_FILE).
    assert files["fields.keys"] == settings.KEY_FILE.read_bytes()
    assert files["audit.key"] == settings.AUDIT_KEY_FILE.read_bytes()
    assert files["backup.key"] == (data_dir / "keys" / "backup.key").read_bytes()
    assert settings.KEY_FILE.read_bytes() not in response.content
    assert not list(data_dir.glob(".keys-*"))  # the temporary copy is gone
    record = BackupRun.objects.get(kind=BackupRun.Kind.KEY_EXPORT)
    assert record.requested_by == cast.admin
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.KEYS_EXPORTED)
    assert event.user == cast.admin and event.actor_username == cast.admin.username
    page = signed_in(cast.admin).get(reverse("core:backups")).content.decode()
    assert timezone.localtime(record.finished_at).strftime("%Y-%m-%d %H:%M") in page


@pytest.mark.parametrize(
    ("fields", "field", "refusal_recorded"),
    [
        ({"password": "not-the-password"}, "password", True),
        ({"passphrase1": "too short", "passphrase2": "too short"}, "passphrase1", False),
        ({"passphrase2": PASSPHRASE + "!"}, "passphrase2", False),
    ],
)
def test_a_wrong_password_or_a_bad_passphrase_exports_nothing_and_sends_nothing_secret_back(
    cast, signed_in, data_dir, fields, field, refusal_recorded
):
    response = export(signed_in(cast.admin), **fields)
    assert response.status_code == 400
    assert response.context["form"].has_error(field)
    html = response.content.decode()
    for secret in ("not-the-password", "too short", PASSPHRASE, TEST_PASSWORD):
        assert f'value="{secret}' not in html
    assert not BackupRun.objects.filter(kind=BackupRun.Kind.KEY_EXPORT).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.KEYS_EXPORTED).exists()
    refused = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.KEYS_EXPORT_REFUSED)
    assert refused.exists() == refusal_recorded


def test_guessing_the_password_stops_after_five_tries(cast, signed_in, data_dir):
    client = signed_in(cast.admin)
    for _try in range(KeyExportForm.TRIES):
        assert export(client, password="guess").status_code == 400
    response = export(client)  # even the right password now waits
    assert response.status_code == 400
    assert response.context["form"].has_error("password", "throttled")
    assert not BackupRun.objects.filter(kind=BackupRun.Kind.KEY_EXPORT).exists()
