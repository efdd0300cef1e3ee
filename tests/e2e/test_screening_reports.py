"""Browser journey (issue 15 item 6): the counselor opens a campaign's report, its charts drawn
by the vendored ECharts next to their tables, on a desktop and on a phone; the principal sees
the same report with the small counts hidden ("<5") and no bar for them."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import open_page, sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from tests.screening.report_data import build_report_campaign

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("XINQIAO_SCREENSHOTS", "/tmp/xinqiao-screenshots"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("demo_wordings")
def test_the_counselor_and_the_principal_read_a_campaign_report(page, browser, live_server):
    school = SchoolFactory(name="第一中学", code="e2e-screening-reports")
    people = {
        role: make_user(role, school=school, username=f"{role}-e2e")
        for role in ("director", "counselor", "principal", "class_teacher", "student", "guardian")
    }
    cast = SimpleNamespace(school=school, **people, **make_class_with_student(school, people))
    data = build_report_campaign(cast, prefix="e2e")
    url = reverse("screening:campaign_report", args=[data.campaign.pk])
    device = TOTPDevice.objects.create(user=people["counselor"], name="p", confirmed=True)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size(DESKTOP)
    sign_in(page, "counselor-e2e", device)
    page.goto(url)
    expect(page.get_by_test_id("flags-not-diagnoses")).to_be_visible()
    # The stacked bands and the mean profile are drawn (ECharts from our static files).
    expect(page.locator("[data-report-chart][data-rendered] svg")).to_have_count(2)
    expect(page.get_by_test_id("bands-phq9")).to_contain_text("七年级1班")
    expect(page.get_by_test_id("report-export")).to_be_visible()
    expect(page.get_by_test_id("suppressed-note")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "screening-report-counselor-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("[data-report-chart][data-rendered] svg")).to_have_count(2)
    # The page itself does not run off a phone's screen (a wide table scrolls on its own).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "screening-report-counselor-phone.png"), full_page=True)

    # From the report to the class's trend, and from the index to a student's trend.
    page.set_viewport_size(DESKTOP)
    page.get_by_test_id("report-completion").get_by_role("link", name="七年级1班").click()
    expect(page.get_by_test_id("class-trend")).to_be_visible()
    expect(page.locator("[data-report-chart][data-rendered] svg")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "screening-class-trend-desktop.png"), full_page=True)
    page.goto(reverse("screening:reports"))
    page.get_by_placeholder("学号或姓名").fill(cast.student_record.name)
    page.get_by_role("button", name="查找").click()
    page.get_by_test_id("student-matches").get_by_role("link").first.click()
    expect(page.get_by_test_id("student-trend")).to_be_visible()
    expect(page.locator("[data-report-chart][data-rendered] svg")).to_have_count(1)
    expect(page.get_by_test_id("flags-not-diagnoses")).to_be_visible()
    page.screenshot(path=str(SHOTS / "screening-student-trend-desktop.png"), full_page=True)

    principal = open_page(browser, live_server)
    principal.set_viewport_size(DESKTOP)
    sign_in(principal, "principal-e2e")
    principal.goto(url)
    expect(principal.get_by_test_id("suppressed-note")).to_be_visible()
    # So few students that every band count is hidden: the chart says so instead of drawing
    # empty axes; the grades' mean profile is drawn.
    expect(principal.locator('[data-report-chart="bands"][data-rendered="empty"]')).to_have_count(1)
    expect(principal.locator('[data-report-chart="profile"][data-rendered="1"] svg')).to_have_count(
        1
    )
    expect(principal.get_by_test_id("bands-phq9").locator("td[data-hidden]").first).to_be_visible()
    expect(principal.get_by_test_id("report-export")).to_have_count(0)
    expect(principal.locator("main")).not_to_contain_text(cast.student_record.name)
    means = principal.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-report-chart="profile"]'))
                    .getOption().series.map(s => s.data[0])"""
    )
    assert means[0] is not None and means[1:] == [None, None]  # grade 8 (3 pupils), school
    principal.screenshot(path=str(SHOTS / "screening-report-principal-desktop.png"), full_page=True)
    principal.set_viewport_size(PHONE)
    principal.reload()
    principal.screenshot(path=str(SHOTS / "screening-report-principal-phone.png"), full_page=True)
