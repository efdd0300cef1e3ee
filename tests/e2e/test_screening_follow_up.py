"""The counselor opens the follow-up list, opens a flagged student, reads the results and records
the interview: concern confirmed, a case is opened (issue 15, what it must show). On a desktop
and on a 390×844 phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import build_cast
from tests.e2e.journeys import follow_menu_link, reveal, sign_in
from tests.factories import SchoolFactory
from tests.screening.factories import (
    MODERATE,
    SEVERE,
    classmate,
    open_campaign,
    participation_of,
    submit,
)
from xinqiao.cases.models import Case
from xinqiao.screening.models import FollowUp
from xinqiao.screening.services import follow_up_assign, follow_up_conclude

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("XINQIAO_SCREENSHOTS", "/tmp/xinqiao-screenshots"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("demo_wordings")
def test_the_counselor_records_a_follow_up_interview(page, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    SHOTS.mkdir(parents=True, exist_ok=True)
    cast = build_cast(
        SchoolFactory(name="第一中学", code="e2e-follow-ups"),
        SchoolFactory(name="第二中学", code="e2e-follow-ups-2"),
    )
    other = classmate(cast, 2, "李小红")
    campaign = open_campaign(cast)
    submit(participation_of(campaign, cast.student_record), SEVERE, actor=cast.student)
    submit(participation_of(campaign, other), MODERATE)
    flagged = FollowUp.objects.get(participation__student=cast.student_record)
    earlier = FollowUp.objects.get(participation__student=other)
    follow_up_assign(actor=cast.director, follow_up=flagged, interviewer=cast.counselor)
    follow_up_conclude(
        actor=cast.counselor,
        follow_up=earlier,
        conclusion=FollowUp.Conclusion.NO_CONCERN,
        interviewed_on=timezone.localdate(),
    )
    device = TOTPDevice.objects.create(user=cast.counselor, name="p", confirmed=True)

    page.set_viewport_size(DESKTOP)
    sign_in(page, cast.counselor.username, device)
    follow_menu_link(page, reverse("screening:follow_up_list"))
    expect(page.get_by_role("heading", name="筛查后续约谈")).to_be_visible()
    expect(page.get_by_test_id("not-a-diagnosis")).to_be_visible()
    expect(page.get_by_test_id("share-phq9").get_by_test_id("share")).to_have_text("100%")
    rows = page.get_by_test_id("follow-up")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="何小明")
    expect(row).to_contain_text("重度")
    expect(row.get_by_test_id("critical")).to_be_visible()
    page.screenshot(path=SHOTS / "screening-follow-ups-desktop.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("follow-up")).to_have_count(2)
    page.screenshot(path=SHOTS / "screening-follow-ups-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_test_id("follow-up").filter(has_text="何小明").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="后续约谈: 何小明")).to_be_visible()
    result = page.get_by_test_id("result")
    expect(result.get_by_test_id("total")).to_have_text("21")
    expect(result.get_by_test_id("critical-items")).to_contain_text("q9")
    # The interview without a conclusion is refused and keeps the notes typed.
    notes = page.get_by_label("约谈记录（加密保存，仅心理辅导人员可见）")
    notes.fill("近两周情绪低落，夜里睡不着；愿意每周来咨询室。")
    page.get_by_test_id("record-interview").click()
    expect(page.get_by_text("请选择约谈的结论。")).to_be_visible()
    expect(notes).to_have_value("近两周情绪低落，夜里睡不着；愿意每周来咨询室。")
    page.get_by_label("确认需要关注：开立个案").check()
    page.screenshot(path=SHOTS / "screening-follow-up-detail-desktop.png", full_page=True)
    page.get_by_test_id("record-interview").click()

    expect(page.get_by_test_id("conclusion")).to_have_text("确认需要关注")
    expect(page.get_by_test_id("case-link")).to_be_visible()
    expect(page.get_by_test_id("interview-form")).to_have_count(0)
    case = Case.objects.get(student=cast.student_record)
    flagged.refresh_from_db()
    assert (flagged.conclusion, flagged.case_id) == ("confirmed", case.pk)
    page.set_viewport_size(PHONE)
    page.reload()
    page.screenshot(path=SHOTS / "screening-follow-up-detail-phone.png", full_page=True)
    page.screenshot(path=SHOTS / "screening-follow-up-detail-phone-first-screen.png")

    page.get_by_test_id("result-link").click()
    expect(page.get_by_test_id("answer")).to_have_count(9)
    expect(page.get_by_test_id("answer").last).to_contain_text(
        "有不如死掉或用某种方式伤害自己的念头"
    )
    page.screenshot(path=SHOTS / "screening-result-detail-phone.png", full_page=True)

    # The case opened by the interview shows the student's scale results when reached.
    page.set_viewport_size(DESKTOP)
    page.go_back()
    page.get_by_test_id("case-link").click()
    reveal(page, "scale-results")
    results = page.get_by_test_id("scale-results")
    expect(results.get_by_test_id("scale-result")).to_have_count(1)
    expect(results).to_contain_text("患者健康问卷抑郁量表（PHQ-9）")
    expect(results.get_by_test_id("give-scale")).to_be_visible()
    results.screenshot(path=SHOTS / "screening-case-results-desktop.png")
    results.get_by_test_id("give-scale").click()
    expect(page.get_by_label("量表")).to_contain_text("请选择…")
    page.set_viewport_size(PHONE)
    page.screenshot(path=SHOTS / "screening-give-scale-phone.png", full_page=True)
