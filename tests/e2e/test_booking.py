"""A student books an appointment from their phone, is reminded, and cancels."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.journeys import sign_in
from tests.factories import SchoolFactory, make_user
from tests.rooms.appointment_factories import at, make_slot, make_student
from xinqiao.rooms.models import Appointment, AppointmentSlot
from xinqiao.rooms.tasks import send_appointment_reminders

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_a_student_books_on_the_phone_is_reminded_and_cancels(page):
    school = SchoolFactory(name="第一中学", code="e2e-booking")
    counselor = make_user("counselor", school=school)
    student = make_student(school, 1, name="何小明")
    slot = make_slot(school, counselor, starts_at=at(3, 10))
    page.set_viewport_size(PHONE)

    sign_in(page, student.user.username)
    page.goto(reverse("rooms:booking_start"))
    page.locator("select[name=counselor]").select_option(str(counselor.pk))
    page.get_by_test_id("slot-filter").locator("button[type=submit]").click()
    page.get_by_test_id(f"book-slot-{slot.pk}").click()
    page.locator("select[name=topic]").select_option("feelings")
    page.get_by_test_id("confirm-booking").click()

    appointment = Appointment.objects.get()
    expect(page).to_have_url(re.compile(reverse("rooms:appointment_detail", args=[appointment.pk])))
    expect(page.get_by_test_id("appointment-state")).to_have_attribute("data-state", "booked")
    assert (appointment.student, appointment.topic) == (student, "feelings")

    # The appointment comes within the hour; the task queue's job sends the reminder.
    starts = timezone.now() + datetime.timedelta(minutes=40)
    AppointmentSlot.objects.filter(pk=slot.pk).update(
        starts_at=starts, ends_at=starts + datetime.timedelta(minutes=50)
    )
    send_appointment_reminders.call_local()

    page.goto(reverse("rooms:my_bookings"))
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("notification-bell").click()
    reminder = page.get_by_test_id("notifications").locator(
        f"a[href='{reverse('rooms:appointment_detail', args=[appointment.pk])}']"
    )
    expect(reminder).to_have_count(1)
    reminder.click()

    page.locator("textarea[name=reason]").fill("那天要去医院")
    page.get_by_test_id("cancel-appointment").click()
    expect(page.get_by_test_id("appointment-state")).to_have_attribute("data-state", "cancelled")
    appointment.refresh_from_db()
    assert (appointment.state, appointment.state_reason) == ("cancelled", "那天要去医院")
