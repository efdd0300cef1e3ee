"""The director's crisis board and an alert's timeline, on a desktop and on a phone."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import build_cast
from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import SchoolFactory
from xinqiao.crisis import tasks
from xinqiao.crisis.demo_alerts import set_back
from xinqiao.crisis.escalation import escalate_due_alerts
from xinqiao.crisis.models import Alert
from xinqiao.crisis.services import raise_alert

SHOTS = os.environ.get("XINQIAO_SCREENSHOTS", "")
PHONE = {"width": 360, "height": 740}


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def a_school_with_an_overdue_crisis(monkeypatch):
    # The worker is down: nothing runs the tasks scheduled at the deadlines (here they would
    # run at once, on the real clock, not on the scenario's), so the reminder stays overdue.
    monkeypatch.setattr(tasks.advance_alert_escalation, "schedule", lambda **kwargs: None)
    cast = build_cast(
        SchoolFactory(name="第一中学", code="e2e-crisis"),
        SchoolFactory(name="第二中学", code="e2e-crisis-2"),
    )
    device = TOTPDevice.objects.create(user=cast.director, name="p", confirmed=True)
    alert = raise_alert(
        actor=cast.duty,
        school=cast.school,
        risk_level=Alert.RiskLevel.CRISIS,
        source=Alert.Source.TEACHER,
        evidence="作文里写想死",
        student=cast.student_record,
    )
    # Raised 25 minutes ago and left alone: the leadership group and student affairs were told
    # at ten minutes, and the reminder is overdue.
    set_back(alert, timezone.now() - datetime.timedelta(minutes=25))
    escalate_due_alerts(now=alert.raised_at + datetime.timedelta(minutes=10))
    return cast, device, alert


@pytest.mark.django_db(transaction=True)
def test_the_director_sees_the_board_and_an_alerts_timeline(page, monkeypatch):
    cast, device, alert = a_school_with_an_overdue_crisis(monkeypatch)
    sign_in(page, "director", device)

    follow_menu_link(page, reverse("crisis:board"))
    expect(page).to_have_url(re.compile(reverse("crisis:board")))
    overdue = page.get_by_test_id("board-overdue")
    expect(overdue.get_by_test_id(f"board-alert-{alert.pk}")).to_contain_text("何小明")
    expect(overdue).to_contain_text("已超时")
    shot(page, "crisis-board-desktop")

    # The board refreshes itself: a new alert arrives without reloading the page.
    concern = raise_alert(
        actor=cast.counselor,
        school=cast.school,
        risk_level=Alert.RiskLevel.CONCERN,
        source=Alert.Source.SCREENING,
        evidence="筛查得分偏高",
        student=cast.student_record,
    )
    page.evaluate(f"htmx.ajax('GET', '{reverse('crisis:board')}', '#crisis-board')")
    expect(page.get_by_test_id(f"board-alert-{concern.pk}")).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)

    overdue.get_by_role("link", name="何小明").click()
    timeline = page.get_by_test_id("alert-timeline")
    expect(timeline.locator('[data-step="0"]')).to_contain_text("校长")
    expect(timeline.locator('[data-step="1"]')).to_contain_text("学生科")
    shot(page, "crisis-alert-timeline-desktop")
    page.get_by_test_id("alert-acknowledge").first.click()
    expect(page.get_by_test_id("alert-state")).to_have_attribute("data-state", "acknowledged")
    expect(timeline.locator('[data-to-state="acknowledged"]')).to_contain_text(
        cast.director.display_name
    )


@pytest.mark.django_db(transaction=True)
def test_the_board_and_the_timeline_read_on_a_phone(page, monkeypatch):
    _cast, device, alert = a_school_with_an_overdue_crisis(monkeypatch)
    page.set_viewport_size(PHONE)
    sign_in(page, "director", device)
    page.goto(reverse("crisis:board"))
    expect(page.get_by_test_id(f"board-alert-{alert.pk}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The deadline column is on the screen, not scrolled away.
    assert page.evaluate(
        "[...document.querySelectorAll('.board-rows')].every("
        "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth)"
    )
    shot(page, "crisis-board-phone")
    page.goto(reverse("crisis:alert_detail", args=[alert.pk]))
    expect(page.get_by_test_id("alert-timeline").locator('[data-step="1"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "crisis-alert-timeline-phone")
