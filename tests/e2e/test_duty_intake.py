"""The duty person records a call and books an appointment for the caller."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.test_booking import sign_in
from tests.factories import SchoolFactory, make_user
from tests.rooms.appointment_factories import at, make_slot
from xinqiao.core.models import Notification
from xinqiao.rooms.models import Appointment, Intake


@pytest.mark.django_db(transaction=True)
def test_the_duty_person_records_a_call_and_books_for_the_caller(page):
    school = SchoolFactory(name="第一中学", code="e2e-intake")
    duty = make_user("duty", school=school)
    counselor = make_user("counselor", school=school)
    slot = make_slot(school, counselor, starts_at=at(2, 15))

    sign_in(page, "duty")
    page.goto(reverse("rooms:intake_create"))
    page.locator("input[name=channel][value=phone]").check()
    page.locator("select[name=caller_kind]").select_option("guardian")
    page.locator("input[name=caller_name]").fill("李爸爸")
    page.locator("input[name=contact]").fill("13800000002")
    page.locator("textarea[name=concern]").fill("孩子和同学闹矛盾，想约老师谈谈")
    page.get_by_test_id("save-intake").click()

    intake = Intake.objects.get()
    expect(page).to_have_url(re.compile(reverse("rooms:intake_detail", args=[intake.pk])))
    expect(page.get_by_test_id("intake-outcome")).to_have_attribute("data-outcome", "open")
    assert (intake.received_by, intake.caller_kind, intake.caller_name) == (
        duty,
        "guardian",
        "李爸爸",
    )

    page.get_by_test_id("book-for-caller").click()
    page.get_by_test_id(f"slot-{slot.pk}").locator("select[name=topic]").select_option("family")
    page.get_by_test_id(f"book-slot-{slot.pk}").click()

    appointment = Appointment.objects.get()
    expect(page).to_have_url(re.compile(reverse("rooms:appointment_detail", args=[appointment.pk])))
    expect(page.get_by_test_id("appointment-person")).to_contain_text("李爸爸")
    assert (appointment.intake, appointment.for_kind, appointment.booked_by) == (
        intake,
        "guardian",
        duty,
    )
    assert appointment.contact == "13800000002"
    intake.refresh_from_db()
    assert intake.outcome == "appointment"
    assert Notification.objects.filter(recipient=counselor).exists()
