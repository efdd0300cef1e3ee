"""Browser journey (issue 6 item 12): the director opens the counseling statistics, sees the
charts drawn by the vendored ECharts next to their tables and an overdue review linked to its
case; the principal sees the same headline counts and no case at all, and in the breakdowns
"not shown" (no bar) where the director sees a count below 3."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.cases.factories import case_at
from tests.e2e.journeys import open_page, sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from xinqiao.cases.models import Case, SupportPlan
from xinqiao.cases.selectors_stats import case_statistics


@pytest.mark.django_db(transaction=True)
def test_the_director_and_the_principal_read_the_statistics(page, browser, live_server):
    school = SchoolFactory(name="第一中学", code="e2e-stats")
    people = {
        role: make_user(role, school=school, username=f"{role}-e2e")
        for role in ("director", "counselor", "principal", "class_teacher", "student", "guardian")
    }
    cast = SimpleNamespace(school=school, **people, **make_class_with_student(school, people))
    late = case_at(cast, "active")
    SupportPlan.objects.filter(case=late).update(
        next_review_on=timezone.localdate() - datetime.timedelta(days=6)
    )
    case_at(cast, "closed")
    # Both opened in the semester, whatever day the test runs: two consultations in October.
    october = timezone.make_aware(datetime.datetime(cast.semester.starts_on.year, 10, 15, 10))
    Case.objects.filter(school=school).update(opened_at=october)
    with translation.override("zh-hans"):
        not_shown = pgettext("statistics cell", "not shown")
    referral_row = '[data-testid="table-channel"] tr[data-key="teacher_referral"] td'
    device = TOTPDevice.objects.create(user=people["director"], name="p", confirmed=True)

    sign_in(page, "director-e2e", device)
    page.goto("/cases/statistics/")
    expect(page.get_by_test_id("stats-summary")).to_be_visible()
    # Every chart is drawn (ECharts loaded from our static files) and its table is there too.
    expect(page.locator("[data-chart][data-rendered] svg")).to_have_count(5)
    expect(page.get_by_test_id("stat-overdue-reviews")).to_have_text("1")
    opened = case_statistics(school=school, semester=cast.semester).consultations
    expect(page.get_by_test_id("stat-consultations")).to_have_text(str(opened))
    expect(page.locator(referral_row).nth(1)).to_have_text("2")  # exact for counseling staff
    expect(page.get_by_test_id("stats-suppressed-note")).to_have_count(0)
    page.get_by_test_id("overdue-reviews").get_by_role("link", name=late.number).click()
    expect(page).to_have_url(re.compile(rf"/cases/{late.pk}/$"))

    principal = open_page(browser, live_server)
    sign_in(principal, "principal-e2e")
    principal.goto("/cases/statistics/")
    expect(principal.get_by_test_id("stat-overdue-reviews")).to_have_text("1")
    expect(principal.locator("[data-chart][data-rendered]")).to_have_count(5)
    expect(principal.get_by_test_id("overdue-lists")).to_have_count(0)
    expect(principal.locator("main")).not_to_contain_text(late.number)
    expect(principal.locator("main")).not_to_contain_text(cast.student_record.name)
    # Two consultations: too few to show by channel, grade or month, and no bar is drawn.
    expect(principal.get_by_test_id("stat-consultations")).to_have_text("2")
    expect(principal.locator(referral_row).nth(1)).to_have_text(not_shown)
    expect(principal.get_by_test_id("stats-suppressed-note")).to_be_visible()
    channel_data = principal.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-chart="channel"]'))
                    .getOption().series[0].data"""
    )
    assert None in channel_data and 2 not in channel_data
