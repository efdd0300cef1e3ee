"""A counselor opens the crisis record of an alert, records a guardian contact and writes the
safety plan; the director finds the contact in the disclosure register (issue 14 item 5)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import open_page, sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from xinqiao.crisis.models import Alert, Disclosure
from xinqiao.crisis.services import raise_alert

PHONE = {"width": 360, "height": 740}
SAID = "告知母亲孩子今天表达了轻生想法，请她下午来校接孩子，今晚有人陪伴。"
# Screenshots for a person to look at: XINQIAO_E2E_SHOTS names a directory to write them to.
SHOTS = os.environ.get("XINQIAO_E2E_SHOTS")


def shot(page, name: str, part: str = "") -> None:
    """The whole page, or one part of it (``part``: its test id)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        if part:
            page.get_by_test_id(part).screenshot(path=f"{SHOTS}/{name}.png")
        else:
            page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_counselor_records_a_guardian_contact_and_a_safety_plan_on_an_alert(
    page, browser, live_server
):
    school = SchoolFactory(name="第一中学", code="e2e-crisis")
    people = {
        role: make_user(role, school=school, username=f"{role}-e2e")
        for role in ("director", "counselor", "class_teacher", "student", "guardian", "duty")
    }
    org = make_class_with_student(school, people)
    student = org["student_record"]
    counselor_device = TOTPDevice.objects.create(user=people["counselor"], name="p", confirmed=True)
    director_device = TOTPDevice.objects.create(user=people["director"], name="p", confirmed=True)
    alert = raise_alert(
        actor=people["duty"],
        school=school,
        risk_level=Alert.RiskLevel.CRISIS,
        source=Alert.Source.DUTY_PHONE,
        evidence="电话里说今晚不想活了",
        student=student,
    )

    page.set_viewport_size(PHONE)
    sign_in(page, "counselor-e2e", counselor_device)
    page.goto(reverse("crisis:alert_detail", args=[alert.pk]))
    page.get_by_test_id("alert-crisis-record").click()
    page.locator("input[name=with_student]").fill("班主任王老师在心理咨询室陪着")
    page.get_by_test_id("record-open-submit").click()
    expect(page.get_by_test_id("alert-state")).to_have_attribute("data-state", "in_intervention")
    expect(page.get_by_test_id("record-case")).to_contain_text("-")

    contact = page.get_by_test_id("guardian-contact-form")
    contact.locator("input[name=guardian]").fill("何妈妈（母亲）")
    contact.locator("textarea[name=said]").fill(SAID)
    page.get_by_test_id("guardian-contact-submit").click()
    expect(page.get_by_test_id("guardian-contact")).to_contain_text("何妈妈（母亲）")

    plan = page.get_by_test_id("safety-plan-form")
    plan.locator("textarea[name=warning_signs]").fill("连续失眠，不愿说话，反复说“没意思”")
    plan.locator("textarea[name=coping_steps]").fill("听音乐、散步；给心理老师打电话")
    plan.locator("textarea[name=people_places]").fill("母亲；心理咨询室；好朋友小林")
    plan.locator("textarea[name=means_restriction]").fill("家中药品由母亲保管")
    plan.locator("textarea[name=contacts]").fill("刘老师 13800000000；心理援助热线 12356")
    page.get_by_test_id("safety-plan-submit").click()
    expect(page.get_by_test_id("safety-plan-print")).to_be_visible()
    shot(page, "crisis-record-phone")
    shot(page, "crisis-record-phone-contacts", "record-contacts")
    shot(page, "crisis-record-phone-follow-ups", "record-follow-ups")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "crisis-record-desktop")

    entry = Disclosure.objects.get(recipient_kind="guardian")
    assert (entry.what, entry.decided_by) == (SAID, people["counselor"])

    # The director finds the contact in the register.
    director = open_page(browser, live_server)
    sign_in(director, "director-e2e", director_device)
    director.goto(reverse("crisis:disclosure_list") + "?kind=guardian")
    expect(director).to_have_url(re.compile(r"kind=guardian"))
    expect(director.get_by_test_id("disclosure")).to_contain_text("何妈妈（母亲）")
    shot(director, "disclosure-register-desktop")
    director.set_viewport_size(PHONE)
    shot(director, "disclosure-register-phone")
