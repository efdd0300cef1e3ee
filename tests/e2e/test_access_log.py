"""The director reads the access log and narrows it by person and by student, then opens the
file's own history from the student file; a member of the supervision group sees who read
when, never whose file (issue 16 item 2)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link, open_page, reveal, sign_in
from tests.e2e.test_crisis_record import shot
from tests.factories import SchoolFactory, make_class_with_student, make_user
from tests.people.roster_factories import StudentFactory
from xinqiao.cases.models import Case
from xinqiao.cases.services_intake import case_open
from xinqiao.core.access_log import record_access

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_the_director_filters_the_access_log_and_the_supervisor_sees_no_names(
    page, browser, live_server
):
    school = SchoolFactory(name="第一中学", code="e2e-access-log")
    people = {
        role: make_user(role, school=school, username=f"{role}-e2e")
        for role in ("director", "counselor", "supervisor", "class_teacher", "student", "guardian")
    }
    for role, name in (("counselor", "刘老师"), ("director", "陈主任")):
        people[role].full_name = name
        people[role].save()
    other = make_user("counselor", school=school, username="wang-e2e")
    other.full_name = "王老师"
    other.save()
    org = make_class_with_student(school, people)
    pupils = [
        StudentFactory(school_class=org["school_class"], name=name, student_number=number)
        for name, number in (("张晓雨", "2026070105"), ("李明轩", "2026070106"))
    ]
    case_open(
        actor=people["counselor"],
        student=org["student_record"],
        channel=Case.Channel.TEACHER_REFERRAL,
        problem="考试焦虑",
        referred_by=people["class_teacher"],
    )
    for pupil in pupils:
        record_access(actor=people["counselor"], action="read", obj=pupil, basis="e2e read")
    record_access(actor=other, action="print", obj=pupils[1], basis="e2e print")
    director_device = TOTPDevice.objects.create(user=people["director"], name="p", confirmed=True)

    sign_in(page, "director-e2e", director_device)
    follow_menu_link(page, reverse("privacy:log"))
    expect(page.get_by_test_id("log-row").first).to_be_visible()

    # by person: 王老师's print only
    page.get_by_test_id("filter-person").select_option(label="王老师")
    page.get_by_test_id("filter-submit").click()
    expect(page).to_have_url(re.compile(rf"actor={other.pk}"))
    rows = page.get_by_test_id("log-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("李明轩")
    expect(rows.first).to_have_attribute("data-action", "print")

    # by student: everyone's reads of 张晓雨's file
    page.get_by_test_id("filter-person").select_option(value="")
    page.get_by_test_id("filter-student").fill("张晓雨")
    page.get_by_test_id("filter-submit").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("刘老师")
    expect(page.get_by_test_id("log-list")).not_to_contain_text("李明轩")
    shot(page, "access-log-desktop")

    # the student file shows its own access history, the director's reading of it first
    page.set_viewport_size(PHONE)
    page.goto(reverse("cases:student_file", args=[org["student_record"].pk]))
    reveal(page, "file-access-history")
    expect(page.get_by_test_id("history-row").first).to_contain_text("陈主任")
    page.get_by_test_id("file-access-log").click()
    expect(page).to_have_url(re.compile(rf"student={org['student_record'].pk}"))
    shot(page, "access-log-phone")

    # the supervision group: who and when, no student, no case
    supervisor = open_page(browser, live_server)
    sign_in(supervisor, "supervisor-e2e")
    follow_menu_link(supervisor, reverse("privacy:log"))
    expect(supervisor.get_by_test_id("log-without-content")).to_be_visible()
    table = supervisor.get_by_test_id("log-list")
    expect(table).to_contain_text("刘老师")
    expect(table).to_contain_text("王老师")
    for secret in ("张晓雨", "李明轩", "何小明", "2026070105"):
        expect(table).not_to_contain_text(secret)
    expect(supervisor.get_by_test_id("filter-student")).to_have_count(0)
    supervisor.set_viewport_size(PHONE)
    expect(table).to_be_visible()
    shot(supervisor, "access-log-supervisor-phone")
