"""The administrator sees that the keys were never exported, runs a backup from the page and
sees it written and verified in the list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import make_user
from xinqiao.core.models import BackupRun


@pytest.mark.django_db(transaction=True)
def test_admin_runs_a_backup_from_the_page_and_sees_it_verified(page, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    make_user("admin")

    sign_in(page, "admin")
    follow_menu_link(page, reverse("core:backups"))
    expect(page.get_by_test_id("keys-apart")).to_be_visible()
    expect(page.get_by_test_id("last-key-export")).to_contain_text("从未导出")
    page.get_by_test_id("backup-start").click()

    expect(page.get_by_test_id("backup-done")).to_be_visible()
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.VERIFIED
    page.reload()
    expect(page.locator('[data-testid="backup-row"][data-status="verified"]')).to_have_count(1)
