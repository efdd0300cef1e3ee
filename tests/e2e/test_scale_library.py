"""The counselor reads the scale library and each scale's licence, on a desktop and a phone."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import build_cast
from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import SchoolFactory

SHOTS = os.environ.get("XINQIAO_SCREENSHOTS", "")
PHONE = {"width": 360, "height": 740}


def shot(page, name: str, *, full_page: bool = True) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)


@pytest.mark.django_db(transaction=True)
def test_the_counselor_reads_the_scale_library_and_its_licences(page, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cast = build_cast(
        SchoolFactory(name="第一中学", code="e2e-scales"),
        SchoolFactory(name="第二中学", code="e2e-scales-2"),
    )
    device = TOTPDevice.objects.create(user=cast.counselor, name="p", confirmed=True)
    sign_in(page, cast.counselor.username, device)
    follow_menu_link(page, reverse("screening:scale_list"))
    expect(page.get_by_role("heading", name="量表库")).to_be_visible()
    expect(page.get_by_test_id("scale")).to_have_count(6)
    phq9 = page.locator("[data-scale=phq9]")
    expect(phq9).to_contain_text("患者健康问卷抑郁量表（PHQ-9）")
    expect(phq9).to_contain_text("仅可计分")
    expect(phq9.get_by_test_id("licence")).to_contain_text("免费使用")
    shot(page, "scale-library-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("scale")).to_have_count(6)
    shot(page, "scale-library-phone")
    shot(page, "scale-library-phone-first-screen", full_page=False)
    page.get_by_label("状态").select_option("ready")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("scale")).to_have_count(0)
    expect(page.get_by_text("没有量表。")).to_be_visible()
