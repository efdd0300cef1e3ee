"""Browser journey (issue 12 item 27): the counselor adjusts an approved plan, changing its goals
and adding one measure; the blank rows the page offers stay untouched and are dropped, the
measures left as they were are kept, and the director sees the new version to approve."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.cases.factories import case_at
from tests.e2e.journeys import sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from xinqiao.cases.models import SupportPlan


@pytest.mark.django_db(transaction=True)
def test_the_counselor_adjusts_an_approved_plan_in_the_browser(page):
    school = SchoolFactory(name="第一中学", code="e2e-plan")
    people = {
        role: make_user(role, school=school, username=f"{role}-e2e")
        for role in ("director", "counselor", "class_teacher", "student", "guardian")
    }
    cast = SimpleNamespace(school=school, **people, **make_class_with_student(school, people))
    case = case_at(cast, "active")
    device = TOTPDevice.objects.create(user=people["counselor"], name="p", confirmed=True)

    sign_in(page, "counselor-e2e", device)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("edit-plan").click()
    expect(page.get_by_test_id("plan-form")).to_be_visible()
    expect(page.locator("fieldset.measure")).to_have_count(4)  # two measures, two blank rows
    page.locator("textarea[name=goals]").fill("三个月内恢复正常上学。")
    page.locator("textarea[name=change_reason]").fill("学业辅导延长两个月，增加一次家访。")
    page.locator("select[name=measures-2-kind]").select_option("home_visit")
    page.locator("textarea[name=measures-2-description]").fill("家访一次")
    page.locator("select[name=measures-2-responsible]").select_option(str(cast.counselor.pk))
    page.locator("input[name=measures-2-starts_on]").fill(timezone.localdate().isoformat())
    page.get_by_test_id("save").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.get_by_test_id("plan-2")).to_have_attribute("data-state", "draft")
    expect(page.get_by_test_id("plan-2").get_by_test_id("measure-row")).to_have_count(3)
    draft = case.plans.get(state=SupportPlan.State.DRAFT)
    assert draft.goals == "三个月内恢复正常上学。"
    assert sorted(m.description for m in draft.measures.all()) == [
        "家访一次",
        "数学学业辅导",
        "每周一次个体辅导",
    ]
