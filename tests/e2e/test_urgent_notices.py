"""Issue 14 items 3-4: a class teacher's bell shows an urgent notice without reloading, the
teacher acknowledges it in the list on a phone, acknowledges another from the link of a
message without signing in; the administrator adds a WeCom robot."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link, open_page, sign_in
from tests.factories import SchoolFactory, make_user
from xinqiao.core.models import Delivery, DeliveryChannel, Notification
from xinqiao.core.notifications import acknowledgement_token, notify

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(os.environ.get("XINQIAO_SCREENSHOTS", "/tmp/xinqiao-screenshots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"urgent-{name}.png"), full_page=True)


def urgent(teacher, school, title):
    return notify(
        recipients=[teacher],
        title=title,
        body="请在10分钟内确认收到，并打开心桥查看需要做什么。",
        level=Notification.Level.URGENT,
        school_id=school.pk,
    )[0]


@pytest.mark.django_db(transaction=True)
def test_a_teacher_acknowledges_urgent_notices_in_the_app_and_by_the_link(
    page, browser, live_server, settings
):
    settings.NOTIFICATION_POLL_SECONDS = 1
    school = SchoolFactory(name="第一中学", code="school-one")
    teacher = make_user("class_teacher", school=school)

    page.set_viewport_size(PHONE)
    sign_in(page, "class_teacher")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    urgent(teacher, school, "请立即查看一条危机预警")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")  # no reload
    shot(page, "bell-phone")

    page.get_by_test_id("notification-bell").click()
    item = page.get_by_test_id("notification").first
    expect(item).to_have_attribute("data-acknowledged", "no")
    shot(page, "list-phone")
    item.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("notification").first).to_have_attribute("data-acknowledged", "yes")
    expect(page.get_by_test_id("notification").first).to_have_attribute("data-read", "yes")
    shot(page, "list-acknowledged-phone")

    second = urgent(teacher, school, "高危预警：请在今天内处理")
    expect(page.get_by_test_id("notification")).to_have_count(2)  # the list refreshed itself
    link = reverse("core:acknowledge_link", kwargs={"token": acknowledgement_token(second)})

    phone = open_page(browser, live_server)  # the teacher's phone, not signed in
    phone.set_viewport_size(PHONE)
    phone.goto(link)
    expect(phone.get_by_test_id("acknowledge-page")).to_have_attribute("data-state", "confirm")
    shot(phone, "link-confirm-phone")
    second.refresh_from_db()
    assert second.acknowledged_at is None  # opening the link acknowledges nothing
    phone.get_by_test_id("acknowledge-confirm").click()
    expect(phone.get_by_test_id("acknowledge-page")).to_have_attribute("data-state", "acknowledged")
    shot(phone, "link-acknowledged-phone")
    phone.goto(link)
    expect(phone.get_by_test_id("acknowledge-page")).to_have_attribute("data-state", "done")
    second.refresh_from_db()
    assert second.acknowledged_via == "link"


@pytest.mark.django_db(transaction=True)
def test_the_admin_adds_a_wecom_robot(page):
    school = SchoolFactory(name="第一中学", code="school-one")
    make_user("admin")
    page.set_viewport_size(DESKTOP)
    sign_in(page, "admin")
    follow_menu_link(page, reverse("core:delivery_channels"))
    form = page.get_by_test_id("channel-form")
    form.locator("select[name=kind]").select_option("wecom")
    form.locator("input[name=name]").fill("心理中心企业微信群")
    form.locator("input[name=after_minutes]").fill("10")
    form.get_by_role("button", name="添加此渠道").click()
    expect(page.locator(".errorlist")).to_contain_text("请填写机器人地址")
    expect(page.locator("input[name=name]")).to_have_value("心理中心企业微信群")
    shot(page, "channel-error-desktop")
    page.locator("input[name=webhook_url]").fill(
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0f0e-demo"
    )
    page.get_by_role("button", name="添加此渠道").click()
    expect(page.get_by_test_id("channel-row")).to_have_count(1)
    assert "0f0e-demo" not in page.content()
    shot(page, "channels-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "channels-phone")
    assert DeliveryChannel.objects.get().webhook_url.endswith("key=0f0e-demo")
    assert re.search("key=", page.content()) is None

    # A notice the robot refused: the administrator sees it with the error and sends it again.
    teacher = make_user("class_teacher", school=school)
    notice = urgent(teacher, school, "请立即查看一条危机预警")
    Delivery.objects.filter(notification=notice).update(
        state="failed", attempts=6, last_error="errcode 93000: invalid webhook url"
    )
    page.set_viewport_size(DESKTOP)
    follow_menu_link(page, reverse("core:deliveries"))
    row = page.get_by_test_id("delivery-row")
    expect(row).to_contain_text("errcode 93000")
    shot(page, "deliveries-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "deliveries-phone")
