"""The director's yearly retention review: sees what is past its period, is stopped without a
confirmation, confirms with a reason, and finds the decision recorded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import build_cast
from tests.core.test_retention import past_case
from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import SchoolFactory
from xinqiao.cases.models import Case
from xinqiao.core.models import RetentionRun

PHONE = {"width": 360, "height": 740}


@pytest.mark.django_db(transaction=True)
def test_the_director_reviews_and_confirms_the_deletion_of_old_case_files(page, tmp_path):
    cast = build_cast(
        SchoolFactory(name="第一中学", code="e2e-retention"),
        SchoolFactory(name="第二中学", code="e2e-retention-2"),
    )
    case = past_case(cast)
    device = TOTPDevice.objects.create(user=cast.director, name="p", confirmed=True)

    sign_in(page, cast.director.username, device)
    follow_menu_link(page, reverse("core:retention"))
    expect(page.get_by_test_id("retention-due")).to_be_visible()
    group = page.locator('[data-testid="retention-group"][data-type="cases.case"]')
    expect(group).to_have_attribute("data-count", "1")
    page.get_by_text("修改本校的保存期限").click()
    expect(page.get_by_test_id("retention-periods")).to_be_visible()
    page.screenshot(path=str(tmp_path / "review-desktop.png"), full_page=True)
    group.get_by_test_id("retention-review-link").click()

    expect(page.get_by_test_id("retention-row")).to_contain_text(case.archive_number)
    expect(page.get_by_test_id("retention-row")).to_contain_text("何小明")
    page.get_by_label("原因").fill("年度审查：已超过保存期限")
    page.get_by_test_id("retention-confirm").click()  # not ticked: stopped, reason kept
    expect(page.get_by_text("请勾选确认后继续。")).to_be_visible()
    expect(page.get_by_label("原因")).to_have_value("年度审查：已超过保存期限")
    assert Case.objects.filter(pk=case.pk).exists()

    page.set_viewport_size(PHONE)
    page.screenshot(path=str(tmp_path / "decision-phone.png"), full_page=True)
    page.get_by_label("我已审阅清单，确认处理这些记录。").check()
    page.get_by_test_id("retention-confirm").click()
    expect(page).to_have_url(re.compile(r"/retention/\?school="))
    expect(page.locator('[data-testid="retention-run"][data-type="cases.case"]')).to_contain_text(
        "年度审查"
    )
    expect(group).to_have_attribute("data-count", "0")
    page.screenshot(path=str(tmp_path / "review-phone.png"), full_page=True)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert RetentionRun.objects.get().decided_by == cast.director
