"""The administrator sees the backups and their verification, runs a backup and follows its
progress bar to the end, and exports the keys into a file that opens with the passphrase (as
`xinqiao keys import` opens it); on a phone and on a desktop."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import TEST_PASSWORD, SchoolFactory, make_user
from xinqiao.core import key_export, services_backup
from xinqiao.core.models import BackupRun, SecurityEvent

PASSPHRASE = "four words kept apart"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def worker(monkeypatch):
    """The task queue's worker, run by the test when it chooses: the page first shows the
    backup waiting at 0 %, then follows it to the end once the test runs it."""
    queued: list[int] = []
    monkeypatch.setattr("xinqiao.core.tasks.run_backup", queued.append)
    return queued


def shoot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_admin_runs_a_backup_sees_it_verified_and_exports_the_keys(
    page, settings, tmp_path, worker, viewport
):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    make_user("admin")
    page.set_viewport_size(viewport)

    sign_in(page, "admin")
    if viewport is PHONE:
        page.goto(reverse("core:backups"))
    else:
        follow_menu_link(page, reverse("core:backups"))
    expect(page.get_by_test_id("keys-apart")).to_be_visible()
    expect(page.get_by_test_id("last-key-export")).to_contain_text("从未导出")

    page.get_by_test_id("backup-start").click()
    expect(page.get_by_test_id("backup-progress")).to_be_visible()
    shoot(page, tmp_path, "running")
    run = BackupRun.objects.get(pk=worker.pop())
    services_backup.backup_run_perform(run=run)  # the worker's part
    expect(page.get_by_test_id("backup-done")).to_be_visible()
    page.reload()
    expect(page.locator('[data-testid="backup-row"][data-status="verified"]')).to_have_count(1)
    expect(page.get_by_test_id("backup-row")).to_contain_text("已写入并校验")

    page.get_by_test_id("key-export-password").fill("not my password")
    page.get_by_test_id("key-export-passphrase1").fill(PASSPHRASE)
    page.get_by_test_id("key-export-passphrase2").fill(PASSPHRASE)
    page.get_by_test_id("key-export-submit").click()
    expect(page.get_by_test_id("key-export-form")).to_contain_text("密码不对")
    expect(page.get_by_test_id("key-export-passphrase1")).to_have_value("")
    shoot(page, tmp_path, "refused")

    page.get_by_test_id("key-export-password").fill(TEST_PASSWORD)
    page.get_by_test_id("key-export-passphrase1").fill(PASSPHRASE)
    page.get_by_test_id("key-export-passphrase2").fill(PASSPHRASE)
    with page.expect_download() as download:
        page.get_by_test_id("key-export-submit").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("xinqiao-keys-")
    assert {"fields.keys", "backup.key"} <= set(key_export.read_export(PASSPHRASE, saved))
    expect(page.get_by_test_id("key-export-passphrase1")).to_have_value("")
    page.goto(reverse("core:backups"))
    expect(page.get_by_test_id("last-key-export")).to_contain_text("admin")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.KEYS_EXPORT_REFUSED).count() == 1
    shoot(page, tmp_path, "done")
    print(f"screenshots: {tmp_path}")


@pytest.mark.django_db(transaction=True)
def test_the_director_sees_on_the_phone_that_the_last_backup_failed(page, tmp_path):
    director = make_user("director", school=SchoolFactory(name="第一中学", code="e2e-backups"))
    now = timezone.now()
    BackupRun.objects.create(status=BackupRun.Status.FAILED, started_at=now, finished_at=now)
    page.set_viewport_size(PHONE)

    sign_in(page, director.username, TOTPDevice.objects.create(user=director, confirmed=True))
    line = page.get_by_test_id("backup-trouble")
    expect(line).to_contain_text("最近一次备份失败")
    expect(line).to_contain_text("请系统管理员今天处理")
    expect(line.locator("a")).to_have_count(0)  # the backups page is the admin's
    shoot(page, tmp_path, "director-home")
    print(f"screenshots: {tmp_path}")
