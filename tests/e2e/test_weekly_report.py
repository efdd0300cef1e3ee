"""Browser journey (issue 14): on a phone, the committee member sends the weekly class report
naming a worried-about classmate; the counselor turns it into an alert and acknowledges it."""

from __future__ import annotations

import os
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import build_cast
from tests.crisis.reports_factories import network_for_reports
from tests.e2e.journeys import open_page, sign_in
from tests.factories import SchoolFactory
from xinqiao.crisis.models import Alert, WorriedItem

PHONE = {"width": 360, "height": 740}
WHY = "他这周总说活着没意思，还把自己的东西都送人了。"
SHOTS = os.environ.get("XINQIAO_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_weekly_report_names_a_classmate_and_becomes_an_acknowledged_alert(
    page, browser, live_server
):
    cast = network_for_reports(
        build_cast(
            SchoolFactory(name="第一中学", code="e2e-reports"),
            SchoolFactory(name="第二中学", code="e2e-reports-2"),
        )
    )
    device = TOTPDevice.objects.create(user=cast.counselor, name="phone", confirmed=True)

    # The committee member, on a phone: the home page leads to this week's report.
    page.set_viewport_size(PHONE)
    sign_in(page, "committee_member")
    page.get_by_test_id("role-link-committee_member").first.click()
    expect(page.get_by_test_id("unit-status")).to_have_attribute("data-status", "missing")
    shot(page, "reports-1-mine-phone")
    page.get_by_test_id("write-report").click()
    page.get_by_label("小雨").check()
    page.locator("textarea[name=events]").fill("期中考试成绩出来了，不少同学情绪低落。")
    page.locator("select[name=student_1]").select_option(label="何小明")
    page.locator("textarea[name=why_1]").fill(WHY)
    shot(page, "reports-2-write-phone")
    page.get_by_test_id("send-report").click()
    expect(page).to_have_url(re.compile(r"/crisis/reports/\d+/$"))
    expect(page.get_by_test_id("report-worries")).to_contain_text("何小明")
    shot(page, "reports-3-sent-phone")
    item = WorriedItem.objects.get()

    # The class teacher learns whom to keep an eye on, never why; the grade leader how many.
    teacher = open_page(browser, live_server)
    teacher.set_viewport_size(PHONE)
    sign_in(teacher, "class_teacher")
    teacher.goto(reverse("crisis:worried_detail", args=[item.pk]))
    expect(teacher.get_by_test_id("worry-no-why")).to_be_visible()
    expect(teacher.locator("main")).not_to_contain_text(WHY)
    shot(teacher, "reports-3b-class-teacher-phone")
    leader = open_page(browser, live_server)
    leader.set_viewport_size(PHONE)
    sign_in(leader, "grade_leader")
    leader.goto(reverse("crisis:report_detail", args=[item.report_id]))
    expect(leader.get_by_test_id("worry-count")).to_be_visible()
    expect(leader.locator("main")).not_to_contain_text("何小明")
    shot(leader, "reports-3c-grade-leader-phone")

    # The counselor, on a phone too: from the queue to the alert, and acknowledges it.
    counselor = open_page(browser, live_server)
    counselor.set_viewport_size(PHONE)
    sign_in(counselor, "counselor", device)
    counselor.goto(reverse("crisis:worried_list"))
    counselor.get_by_test_id(f"worried-{item.pk}").get_by_role("link").click()
    expect(counselor.get_by_test_id("worry-why")).to_contain_text(WHY)
    counselor.get_by_label("高危").check()
    shot(counselor, "reports-4-worry-phone")
    counselor.get_by_test_id("raise-alert").click()
    alert = Alert.objects.get()
    expect(counselor).to_have_url(re.compile(reverse("crisis:alert_detail", args=[alert.pk])))
    expect(counselor.get_by_test_id("alert-risk")).to_have_attribute("data-risk", "high")
    expect(counselor.get_by_test_id("alert-source-link")).to_be_visible()
    counselor.get_by_test_id("alert-acknowledge").click()
    expect(counselor.get_by_test_id("alert-state")).to_have_attribute("data-state", "acknowledged")
    shot(counselor, "reports-5-alert-phone")
    alert.refresh_from_db()
    assert (alert.state, alert.source, alert.student) == (
        "acknowledged",
        "network_report",
        cast.student_record,
    )

    # The summary at desktop width, as the director's counterpart sees it.
    counselor.set_viewport_size({"width": 1280, "height": 900})
    counselor.goto(reverse("crisis:report_summary"))
    expect(counselor.get_by_test_id("summary-table")).to_contain_text("七年级")
    shot(counselor, "reports-6-summary-desktop")
