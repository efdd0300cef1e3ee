"""Browser journey: a duty person asks for leave; the director approves it and assigns a
substitute the system proposes; the roster then shows the substitute."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import sign_in
from tests.factories import SchoolFactory, make_user
from tests.rooms.factories import RoomFactory, in_days, make_shift, term_around_today
from xinqiao.people.models import Semester
from xinqiao.rooms.models import DutyShift, LeaveRequest


@pytest.mark.django_db(transaction=True)
def test_the_director_approves_a_leave_and_assigns_a_proposed_substitute(page):
    school = SchoolFactory(name="第一中学", code="e2e-leave")
    semester = term_around_today(
        Semester.objects.create(
            school=school,
            school_year=2026,
            term=1,
            starts_on=in_days(-30),
            ends_on=in_days(60),
            is_current=True,
        )
    )
    duty = make_user("duty", school=school, username="duty-li")
    duty.full_name = "李值班"
    duty.save()
    substitute = make_user("duty", school=school, username="duty-zhao")
    substitute.full_name = "赵老师"
    substitute.save()
    director = make_user("director", school=school, username="director-wang")
    device = TOTPDevice.objects.create(user=director, name="phone", confirmed=True)
    room = RoomFactory(school=school)
    shift = make_shift(school=school, semester=semester, user=duty, day=in_days(3), room=room)

    # The duty person asks for leave from their duty.
    sign_in(page, "duty-li")
    page.goto("/rooms/my-duties/")
    page.get_by_test_id(f"ask-leave-{shift.pk}").click()
    page.locator("textarea[name=reason]").fill("孩子发烧，需要去医院")
    page.get_by_test_id("leave-submit").click()
    expect(page).to_have_url(re.compile(r"/rooms/leave/\d+/$"))
    expect(page.get_by_test_id("leave-state")).to_have_attribute("data-state", "requested")
    leave = LeaveRequest.objects.get(shift=shift)
    assert DutyShift.objects.get(pk=shift.pk).user == duty  # not on leave before approval
    page.get_by_test_id("sign-out").click()

    # The director approves and picks a substitute among the people proposed.
    sign_in(page, "director-wang", device)
    page.goto(f"/rooms/leave/{leave.pk}/")
    page.locator("input[name=decision][value=approve]").check()
    page.get_by_test_id("decision-submit").click()
    expect(page.get_by_test_id("leave-state")).to_have_attribute("data-state", "approved")
    expect(page.get_by_test_id("gap")).to_be_visible()
    choice = page.locator("select[name=substitute]")
    expect(choice.locator("option", has_text="赵老师")).to_have_count(1)
    expect(choice.locator("option", has_text="李值班")).to_have_count(0)
    choice.select_option(label="赵老师")
    page.get_by_test_id("substitute-submit").click()
    expect(page.get_by_test_id("leave-substitute")).to_have_text("赵老师")

    # The roster shows the substitute on that duty.
    week = semester.week_of(shift.date)
    page.goto(f"/rooms/roster/?week={week}")
    cell = page.get_by_test_id(f"shift-{shift.pk}")
    expect(cell.get_by_test_id("on-duty")).to_have_text("赵老师")
    expect(cell.get_by_test_id("substitute")).to_be_visible()
    shift.refresh_from_db()
    assert (shift.user, shift.origin) == (substitute, DutyShift.Origin.SUBSTITUTE)
