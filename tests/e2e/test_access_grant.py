"""Browser journey (issue 16, "What it must show"): a duty person asks for access to one case;
until the director approves they are refused; the director approves it narrowed to the plan;
the duty person reads that case only (the plan, not the records); when the grant expires they
are refused again. The duty person works on a phone (390 px wide)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.cases.factories import case_at
from tests.e2e.journeys import device_of, open_page, sign_in
from xinqiao.cases.models import AccessGrant, Severity
from xinqiao.core.models import AccessLog

GOALS = "两个月内恢复正常上学。"


@pytest.mark.django_db(transaction=True)
def test_a_duty_person_reads_one_case_under_a_grant_until_it_expires(browser, live_server, cast):
    case = case_at(cast, "closing", severity=Severity.SERIOUS)
    other = case_at(cast, "active")
    duty_device, director_device = device_of(cast.duty), device_of(cast.director)
    duty = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    ).new_page()
    duty.set_default_timeout(15_000)
    sign_in(duty, cast.duty.username, duty_device)

    # Refused before asking.
    assert duty.goto(f"/cases/{case.pk}/").status == 404

    # The request: the case by its number, all parts, a week, a reason.
    duty.goto("/cases/grants/request/")
    duty.get_by_label("个案编号").fill(case.number)
    duty.locator("textarea[name=reason]").fill("家长来电询问帮扶安排，需要核对方案。")
    duty.get_by_test_id("grant-request-submit").click()
    expect(duty).to_have_url(re.compile(r"/cases/grants/mine/$"))
    grant = AccessGrant.objects.get()
    card = duty.get_by_test_id(f"grant-{grant.pk}")
    expect(card).to_have_attribute("data-state", "requested")
    expect(card).not_to_contain_text(case.student.name)  # the number only, until approved
    width = duty.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width

    # Still refused while it waits.
    assert duty.goto(f"/cases/{case.pk}/").status == 404

    # The director approves it narrowed to the plan.
    director = open_page(browser, live_server)
    sign_in(director, cast.director.username, director_device)
    director.set_viewport_size({"width": 390, "height": 844})
    director.goto("/cases/grants/")
    assert director.evaluate("document.documentElement.scrollWidth") <= 390
    director.get_by_test_id(f"grant-{grant.pk}").get_by_test_id("grant-decide").click()
    # The decision page has loaded (measuring mid-navigation finds no document: it failed once).
    expect(director.get_by_test_id("grant-approve")).to_be_visible()
    assert director.evaluate("document.documentElement.scrollWidth") <= 390
    for part in grant.requested_parts - {"plan"}:
        director.locator(f"input[name=parts][value={part}]").uncheck()
    director.get_by_test_id("grant-approve").click()
    expect(director).to_have_url(re.compile(r"/cases/grants/$"))
    grant.refresh_from_db()
    assert grant.state == "approved" and grant.granted_parts == {"plan"}

    # The duty person reads that case, its plan only.
    duty.goto("/cases/grants/mine/")
    duty.get_by_test_id(f"grant-{grant.pk}").get_by_test_id("grant-read").click()
    expect(duty).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(duty.get_by_test_id("read-under-grant")).to_be_visible()
    expect(duty.get_by_test_id("plans")).to_contain_text(GOALS)
    expect(duty.get_by_test_id("records-loading")).to_have_count(0)
    read = AccessLog.objects.filter(action="read", actor_id=cast.duty.pk).latest("seq")
    assert read.grant_id == grant.pk
    assert duty.goto(f"/cases/{other.pk}/").status == 404

    # The grant expires: the next request is refused.
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    assert duty.goto(f"/cases/{case.pk}/").status == 404
    duty.goto("/cases/grants/mine/")
    expect(duty.get_by_test_id(f"grant-{grant.pk}")).to_have_attribute("data-in-force", "no")
