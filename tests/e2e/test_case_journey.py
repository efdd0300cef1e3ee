"""Browser journey (issue 6): a class teacher refers a student; the director assesses the case as
serious and holds a case conference; the counselor writes a plan with three measures that the
director approves, four session records, a stage summary and an evaluation; the case is closed
and archived into the student's file."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import open_page, reveal, sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from xinqiao.cases.models import Case
from xinqiao.core.models import AccessLog

PROBLEM = "最近两周上课经常哭，不愿意和同学说话，作业没有交。"
MEETING_MISSED = "家长两次爽约，面谈没有进行。"


def _when(hours_ago: int) -> str:
    moment = timezone.localtime() - datetime.timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_a_teacher_referral_goes_from_intake_to_the_archive(page, browser, live_server):
    school = SchoolFactory(name="第一中学", code="e2e-case")
    people = {
        role: make_user(role, school=school, username=f"{role}-e2e")
        for role in ("director", "counselor", "class_teacher", "student", "guardian")
    }
    for user, name in ((people["director"], "陈主任"), (people["counselor"], "刘老师")):
        user.full_name = name
        user.save()
    org = make_class_with_student(school, people)
    student = org["student_record"]
    director_device = TOTPDevice.objects.create(user=people["director"], name="p", confirmed=True)
    counselor_device = TOTPDevice.objects.create(user=people["counselor"], name="p", confirmed=True)

    # The class teacher refers the student and sees only that the referral was received.
    sign_in(page, "class_teacher-e2e")
    page.goto("/cases/refer/")
    page.locator("select[name=student]").select_option(str(student.pk))
    page.locator("textarea[name=problem]").fill(PROBLEM)
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/cases/my-referrals/$"))
    expect(page.get_by_test_id("my-referrals")).to_contain_text(student.name)
    expect(page.get_by_test_id("my-referrals")).not_to_contain_text(PROBLEM)
    case = Case.objects.get(student=student)
    # Opened the day before: the records below, dated in the last hours, fall inside the case
    # whatever the hour the test runs.
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=1))
    teacher = page

    # The director assesses it as serious, with two sides, and convenes a case conference.
    page = director = open_page(browser, live_server)
    sign_in(director, "director-e2e", director_device)
    page.goto("/cases/")
    page.get_by_test_id(f"case-{case.pk}").get_by_role("link").first.click()
    expect(page.get_by_test_id("case-problem")).to_contain_text(PROBLEM)
    page.get_by_test_id("assess").click()
    page.locator("input[name=categories]").nth(0).check()
    page.locator("input[name=categories]").nth(1).check()
    page.locator("input[name=severity][value=serious]").check()
    page.locator("textarea[name=measures_needed]").fill("个体辅导，学业辅导，家校沟通")
    page.locator("select[name=lead]").select_option(str(people["counselor"].pk))
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "assessing")
    page.get_by_test_id("convene").click()
    page.locator("input[name=scheduled_at]").fill(_when(0))
    page.locator("textarea[name=agenda]").fill("评估结果与帮扶方案")
    page.locator(f"input[name=participants][value='{people['class_teacher'].pk}']").check()
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/cases/conferences/\d+/$"))
    page.locator("textarea[name=decisions]").fill("制定个别帮扶方案，班主任配合课堂观察。")
    page.locator("textarea[name=shared_summary]").fill("请班主任每周观察课堂情况。")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("conference-state")).to_contain_text(re.compile(r"\S"))
    conference = case.conferences.get()

    # The class teacher, a participant, sees only what the conference shared.
    page = teacher
    page.goto(f"/cases/conferences/{conference.pk}/shared/")
    expect(page.get_by_test_id("shared-summary")).to_contain_text("请班主任每周观察课堂情况")
    expect(page.locator("main")).not_to_contain_text(PROBLEM)
    assert page.goto(f"/cases/{case.pk}/").status == 404

    # The counselor writes the plan with three measures.
    page = counselor = open_page(browser, live_server)
    sign_in(counselor, "counselor-e2e", counselor_device)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("edit-plan").click()
    page.locator("textarea[name=goals]").fill("一个月内恢复正常上课和交作业。")
    today = timezone.localdate().isoformat()
    for index, (kind, text, who) in enumerate(
        [
            ("individual", "每周一次个体辅导", people["counselor"].pk),
            ("tutoring", "数学学业辅导", people["class_teacher"].pk),
            ("guardian_meeting", "与家长面谈一次", people["counselor"].pk),
        ]
    ):
        page.locator(f"select[name=measures-{index}-kind]").select_option(kind)
        page.locator(f"textarea[name=measures-{index}-description]").fill(text)
        page.locator(f"select[name=measures-{index}-responsible]").select_option(str(who))
        page.locator(f"input[name=measures-{index}-starts_on]").fill(today)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("plan-1")).to_have_attribute("data-state", "draft")

    # The director approves it.
    page = director
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("approve-plan").click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "active")
    expect(page.get_by_test_id("plan-1").get_by_test_id("measure-row")).to_have_count(3)

    # The counselor keeps four session records, a stage summary and an evaluation, then closes.
    page = counselor
    for number in range(4):
        page.goto(f"/cases/{case.pk}/records/new/")
        page.locator("select[name=kind]").select_option("individual")
        page.locator("input[name=held_at]").fill(_when(4 - number))
        page.locator("input[name=place]").fill("心理咨询室")
        page.locator("textarea[name=problem]").fill(f"第{number + 1}次辅导：情绪低落")
        page.locator("textarea[name=measures_taken]").fill("倾听与情绪命名")
        agreed = page.locator("input[name=student_agreed]")
        if number == 0:  # counseling rests on the student's informed, voluntary agreement
            agreed.check()
        else:  # recorded with the first session, it is not asked again
            expect(agreed).to_have_count(0)
        page.get_by_test_id("save").click()
        reveal(page, "records")
        expect(page.get_by_test_id("records").get_by_test_id("record")).to_have_count(number + 1)
    page.get_by_test_id("new-summary").click()
    page.locator("input[name=period_start]").fill(today)
    page.locator("textarea[name=summary]").fill("情绪明显好转，已按时交作业。")
    page.get_by_test_id("save").click()
    page.get_by_test_id("new-evaluation").click()
    page.locator("select[name=student_rating]").select_option("8")
    page.locator("select[name=teacher_rating]").select_option("7")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("evaluation")).to_have_count(1)
    page.get_by_test_id("close-case").click()
    # Each measure gets how it really ended (issue 12 item 21).
    individual, tutoring, meeting = case.plans.get().measures.all()
    for measure in (individual, tutoring):
        page.locator(f"input[name=measure_{measure.pk}][value=done]").check()
    page.locator(f"input[name=measure_{meeting.pk}][value=not_done]").check()
    page.locator(f"input[name=measure_{meeting.pk}_reason]").fill(MEETING_MISSED)
    page.locator("textarea[name=closing_summary]").fill("目标达成，结案。")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "closing")

    # The director confirms the closure and archives the case into the student's file.
    page = director
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("confirm-closure").click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "closed")
    page.get_by_test_id("archive-case").click()
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "archived")
    expect(page.get_by_test_id("archive-number")).to_contain_text("DA-")
    page.get_by_test_id("student-file-link").click()
    expect(page.locator("main")).to_contain_text(case.number)
    page.get_by_test_id("file-records-lazy").locator("summary").click()
    expect(page.get_by_test_id("file-record")).to_have_count(4)
    expect(page.get_by_test_id("file-record").first).to_contain_text("第1次辅导")
    expect(page.get_by_test_id("file-plan")).to_contain_text(MEETING_MISSED)

    case.refresh_from_db()
    assert case.records.count() == 4 and case.summaries.count() == 1
    assert case.plans.get().measures.count() == 3
    assert AccessLog.objects.filter(
        object_type="cases.Case", object_id=str(case.pk), action="disclose"
    ).exists()
