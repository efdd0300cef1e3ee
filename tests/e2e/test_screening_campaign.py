"""The director opens a screening campaign for a class and announces it (guardians are told) at
a desktop and follows its completion; the guardian reads the notice on a phone and opts the
child out (issue 15)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import build_cast
from tests.e2e.journeys import follow_menu_link, open_page, sign_in
from tests.factories import SchoolFactory
from xinqiao.core.models import Notification
from xinqiao.screening.models import Campaign, Participation

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("XINQIAO_SCREENSHOTS", "/tmp/xinqiao-screenshots"))


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("demo_wordings")
def test_the_director_announces_a_campaign_and_the_guardian_opts_the_child_out(
    page, browser, live_server, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    SHOTS.mkdir(parents=True, exist_ok=True)
    cast = build_cast(
        SchoolFactory(name="第一中学", code="e2e-campaign"),
        SchoolFactory(name="第二中学", code="e2e-campaign-2"),
    )
    device = TOTPDevice.objects.create(user=cast.director, name="p", confirmed=True)
    now = timezone.now()

    page.set_viewport_size(DESKTOP)
    sign_in(page, cast.director.username, device)
    follow_menu_link(page, reverse("screening:campaign_list"))
    expect(page.get_by_role("heading", name="心理测评")).to_be_visible()
    page.get_by_test_id("campaign-new").click()
    page.get_by_label("标题").fill("2026年秋季新生心理普查")
    page.get_by_label("内容与目的").fill(
        "了解新生入学后的心理状况，以便及早为需要的同学提供帮助。结果只有心理老师看到。"
    )
    page.get_by_label("七年级1班").check()
    page.locator('input[name="scales"][value="phq9@1.0"]').check()
    expect(
        page.locator('[data-scale="phq9@1.0"] ~ [data-testid=demo-wording]').first
    ).to_be_visible()
    page.get_by_label("开始时间").fill(local(now - timedelta(minutes=30)))
    page.get_by_label("结束时间").fill(local(now + timedelta(days=7)))
    page.screenshot(path=SHOTS / "screening-campaign-form-desktop.png", full_page=True)
    page.get_by_test_id("campaign-save").click()

    expect(page.get_by_role("heading", name="2026年秋季新生心理普查")).to_be_visible()
    expect(page.get_by_test_id("flags-not-diagnoses")).to_contain_text("绝不是诊断")
    expect(page.get_by_test_id("campaign-scales")).to_contain_text("Pfizer")
    page.get_by_test_id("announce-confirm").check()
    page.get_by_test_id("announce").click()
    expect(page.get_by_role("status")).to_contain_text("已通知家长")
    rows = page.get_by_test_id("completion-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("七年级1班")
    expect(rows.first.locator("td").nth(1)).to_have_text("1")
    expect(rows.first.locator("td").last).to_have_text("0%")
    page.screenshot(path=SHOTS / "screening-campaign-detail-desktop.png", full_page=True)

    campaign = Campaign.objects.get()
    assert campaign.state == Campaign.State.ANNOUNCED
    page.get_by_test_id("codes-link").click()
    expect(page.get_by_test_id("class-code")).to_have_count(1)
    expect(page.get_by_test_id("code-entry-url")).to_contain_text(reverse("screening:class_code"))
    page.screenshot(path=SHOTS / "screening-class-codes-desktop.png", full_page=True)
    # Printed for the computer room: the codes, without the site's header, footer or buttons.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(page.get_by_test_id("class-code")).to_be_visible()
    page.emulate_media(media="screen")
    page.goto(reverse("screening:campaign_list"))
    expect(page.get_by_test_id("campaign-row")).to_have_count(1)
    expect(page.get_by_test_id("campaign-row")).to_contain_text("0%")
    page.screenshot(path=SHOTS / "screening-campaign-list-desktop.png", full_page=True)
    page.goto(reverse("screening:campaign_detail", args=[campaign.pk]))
    notice = Notification.objects.get(recipient=cast.guardian)
    assert notice.url == reverse("screening:notice", args=[campaign.pk])

    phone = open_page(browser, live_server)
    phone.set_viewport_size(PHONE)
    sign_in(phone, cast.guardian.username)
    phone.goto(notice.url)
    expect(phone.get_by_role("heading", name="心理测评告知书")).to_be_visible()
    expect(phone.get_by_test_id("who-sees-results")).to_contain_text("只有学校的心理老师")
    expect(phone.get_by_test_id("notice-child")).to_have_count(1)
    phone.screenshot(path=SHOTS / "screening-notice-phone.png", full_page=True)
    phone.get_by_test_id("opt-out").click()
    expect(phone.get_by_role("status")).to_contain_text("已为何小明选择不参加")
    expect(phone.get_by_test_id("child-state")).to_contain_text("已选择不参加")
    expect(phone.get_by_test_id("opt-in")).to_be_visible()
    phone.screenshot(path=SHOTS / "screening-notice-opted-out-phone.png", full_page=True)
    participation = Participation.objects.get(campaign=campaign)
    assert participation.state == Participation.State.OPTED_OUT

    # The completion table is polled: the opt-out arrives without reloading the page.
    opted_out = page.get_by_test_id("completion-row").first.locator("td").nth(5)
    expect(opted_out).to_have_text("1", timeout=30_000)
    expect(page.get_by_test_id("completion-row").first.locator("td").last).to_have_text("—")
    page.get_by_test_id("opt-outs-link").click()
    expect(page.get_by_test_id("participation-state")).to_have_text("家长已选择不参加")
    page.screenshot(path=SHOTS / "screening-opt-outs-desktop.png", full_page=True)
