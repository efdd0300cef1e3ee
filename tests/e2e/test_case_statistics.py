"""Browser journey (issue 6 item 12): the director opens the counseling statistics, sees the
charts drawn by the vendored ECharts next to their tables and an overdue review linked to its
case; the principal sees the same counts and no case at all."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.cases.factories import case_at
from tests.e2e.journeys import open_page, sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from xinqiao.cases.models import SupportPlan
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
    device = TOTPDevice.objects.create(user=people["director"], name="p", confirmed=True)

    sign_in(page, "director-e2e", device)
    page.goto("/cases/statistics/")
    expect(page.get_by_test_id("stats-summary")).to_be_visible()
    # Every chart is drawn (ECharts loaded from our static files) and its table is there too.
    expect(page.locator("[data-chart][data-rendered] svg")).to_have_count(5)
    expect(page.get_by_test_id("stat-overdue-reviews")).to_have_text("1")
    opened = case_statistics(school=school, semester=cast.semester).consultations
    expect(page.get_by_test_id("stat-consultations")).to_have_text(str(opened))
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
