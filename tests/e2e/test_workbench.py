"""Issue 17: the director, a counselor, the duty person, a class teacher and a student each open
their workbench at phone and desktop widths and follow one tile to the work behind it. Each
workbench is saved under var/screenshots/ for a reviewer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.cases.factories import case_at
from tests.cases.test_waiting_steps import draft
from tests.e2e.journeys import DESKTOP, PHONE, device_of, open_page, save_screenshot, sign_in
from tests.rooms.appointment_factories import at, make_appointment, make_slot
from xinqiao.cases.models import PlanMeasure


@pytest.mark.django_db(transaction=True)
def test_five_roles_follow_a_tile_of_their_workbench_to_the_work_behind_it(
    browser, live_server, cast
):
    waiting_for_approval = case_at(cast, "assessing")
    draft(cast, waiting_for_approval)  # the director's approval waits
    active = case_at(cast, "active")
    PlanMeasure.objects.filter(plan__case=active).update(responsible=cast.class_teacher)
    booking = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=at(2, 10)), cast.student_record
    )
    journeys = [
        (
            "director",
            "cases_awaiting_approval",
            r"/cases/\?state=awaiting_approval$",
            waiting_for_approval.number,
        ),
        ("counselor", "my_open_cases", r"/cases/\?mine=1$", active.number),
        ("duty", "waiting", r"/waiting/$", None),
        ("class_teacher", "measures_asked", r"/cases/tasks/$", cast.student_record.name),
        ("student", "bookings", r"/my-bookings/$", None),
    ]
    for role, tile, url, shown in journeys:
        user = getattr(cast, role)
        page = open_page(browser, live_server)
        sign_in(page, user.username, device_of(user))
        for width, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.goto("/")
            expect(page.get_by_test_id(f"tiles-{role}")).to_be_visible()
            save_screenshot(page, f"workbench-{role}-{width}")
            overflow = page.evaluate("document.documentElement.scrollWidth") - size["width"]
            assert overflow <= 0, (role, width, overflow)
        page.get_by_test_id(f"tiles-{role}").get_by_test_id(f"tile-{tile}").click()
        expect(page).to_have_url(re.compile(url))
        if shown:
            expect(page.locator("main")).to_contain_text(shown)
        if role == "student":
            expect(page.locator(f'a[href$="/appointments/{booking.pk}/"]')).to_have_count(1)
        page.context.close()
