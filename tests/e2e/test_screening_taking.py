"""Answering a screening questionnaire in a real browser (issue 15).

A student on a phone answers half, loses the network for one more answer and closes the tab;
the browser's copy reaches the server when the page is opened again; on another device the
answers are there; an unanswered question is pointed out; the submit lands on the thank-you
page with the campaign's message. At the computer room's shared computer a wrong class code is
refused, the right one opens the questionnaire, and after submit the computer forgets it.
The page runs under the Content-Security-Policy with no violation.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import open_page, sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from tests.rooms.appointment_factories import make_student
from tests.screening.factories import open_campaign, participation_of
from xinqiao.screening.models import ClassCode, Participation, Response
from xinqiao.screening.services import answers_of

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("XINQIAO_SCREENSHOTS", "/tmp/xinqiao-screenshots"))
MESSAGE = "谢谢你认真填写。如果你想找人聊聊，心理咨询室随时欢迎你。"
# Playwright's init scripts run outside the page's policy: they only listen.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

pytestmark = pytest.mark.usefixtures("demo_wordings")


def _school(code: str) -> SimpleNamespace:
    school = SchoolFactory(name="第一中学", code=code)
    people = {
        role: make_user(role, school=school, username=f"{role}-{code}")
        for role in ("director", "class_teacher", "student", "guardian")
    }
    return SimpleNamespace(school=school, **people, **make_class_with_student(school, people))


def _answer(page, item: str, label: str) -> None:
    page.locator(f"#q-phq9-{item} label.q-option", has_text=label).click()


def _violations(page) -> list[str]:
    return page.evaluate("window.__violations")


@pytest.mark.django_db(transaction=True)
def test_a_student_answers_on_a_phone_goes_on_on_another_device_and_submits(
    page, browser, live_server
):
    cast = _school("e2e-take")
    participation = participation_of(open_campaign(cast), cast.student_record)
    take = reverse("screening:take", args=[participation.pk])
    SHOTS.mkdir(parents=True, exist_ok=True)

    # On the phone: the home page's card leads to the questionnaire, one question a screen.
    page.context.add_init_script(LISTEN)
    page.set_viewport_size(PHONE)
    sign_in(page, cast.student.username)
    page.locator('[data-testid="role-link-student"][href$="/screening/mine/"]').click()
    expect(page).to_have_url(re.compile(r"/screening/mine/$"))
    page.screenshot(path=SHOTS / "screening-mine-phone.png", full_page=True)
    page.get_by_test_id("take-link").click()
    expect(page).to_have_url(re.compile(rf"{take}$"))
    expect(page.get_by_test_id("take-note")).to_contain_text("不是诊断")
    expect(page.locator("#q-phq9-q1")).to_be_visible()
    expect(page.locator("#q-phq9-q2")).to_be_hidden()
    option = page.locator("#q-phq9-q1 label.q-option").first.bounding_box()
    assert option["height"] >= 44 and option["width"] >= 300  # a thumb hits it

    for item in ("q1", "q2", "q3", "q4"):
        _answer(page, item, "有几天")  # a tap moves on to the next question
    expect(page.locator("#q-phq9-q5")).to_be_visible()
    expect(page.get_by_test_id("progress-text")).to_have_text("已答 4 / 9 题")
    expect(page.get_by_test_id("save-status")).to_have_text("答案已全部保存")
    page.screenshot(path=SHOTS / "screening-take-phone.png", full_page=True)
    assert answers_of(Response.objects.get(participation=participation)) == {
        "q1": 1,
        "q2": 1,
        "q3": 1,
        "q4": 1,
    }

    # The network drops: the fifth answer stays in the browser, the page says so.
    page.context.set_offline(True)
    _answer(page, "q5", "一半以上的天数")
    expect(page.get_by_test_id("save-status")).to_contain_text("网络已断开")
    page.screenshot(path=SHOTS / "screening-take-offline-phone.png", full_page=True)
    violations = _violations(page)
    page.close()  # the tab is closed before the network comes back

    # Opened again on the same phone: the browser's newer copy wins and reaches the server.
    page.context.set_offline(False)
    again = page.context.new_page()
    again.goto(take)
    expect(again.locator('#q-phq9-q5 input[value="2"]')).to_be_checked()
    expect(again.get_by_test_id("save-status")).to_have_text("答案已全部保存")
    assert answers_of(Response.objects.get(participation=participation))["q5"] == 2
    violations += _violations(again)
    again.context.close()

    # Another device: the answers are there; all questions on one page, one left out.
    other = open_page(browser, live_server)
    other.context.add_init_script(LISTEN)
    other.set_viewport_size(PHONE)
    sign_in(other, cast.student.username)
    other.goto(take)
    expect(other.locator('#q-phq9-q3 input[value="1"]')).to_be_checked()
    expect(other.locator('#q-phq9-q5 input[value="2"]')).to_be_checked()
    expect(other.locator("#q-phq9-q6")).to_be_visible()  # the first unanswered one
    other.get_by_test_id("layout-toggle").click()
    expect(other.locator("#q-phq9-q1")).to_be_visible()
    other.reload()  # the choice is remembered on this device
    expect(other.locator("#q-phq9-q9")).to_be_visible()
    for item in ("q6", "q7", "q8"):
        _answer(other, item, "完全不会")
    other.get_by_test_id("submit").click()
    expect(other.get_by_test_id("submit-error")).to_contain_text("还有题目没有回答")
    expect(other.locator("#q-phq9-q9 .q-missing")).to_be_visible()
    expect(other.locator("#q-phq9-q9")).to_be_focused()
    other.screenshot(path=SHOTS / "screening-take-missing-phone.png", full_page=True)
    participation.refresh_from_db()
    assert participation.state == Participation.State.STARTED

    # The first submit reaches the server but its answer is lost on the way back: sent
    # again, it is the same submit.
    submit = reverse("screening:submit", args=[participation.pk])
    dropped = []

    def drop_the_answer(route):
        route.fetch()
        dropped.append(route.request.url)
        route.abort()

    other.route(f"**{submit}", drop_the_answer, times=1)
    _answer(other, "q9", "完全不会")
    other.get_by_test_id("submit").click()
    expect(other.get_by_test_id("submit-error")).to_contain_text("网络中断")
    expect(other.get_by_test_id("submit")).to_be_enabled()
    assert len(dropped) == 1
    other.get_by_test_id("submit").click()
    expect(other).to_have_url(re.compile(r"/done/$"))
    expect(other.get_by_test_id("supportive-message")).to_have_text(MESSAGE)
    expect(other.get_by_test_id("own-scores")).to_have_count(0)
    expect(other.get_by_test_id("where-help")).to_be_visible()
    other.screenshot(path=SHOTS / "screening-done-phone.png", full_page=True)
    assert (
        other.evaluate(f"localStorage.getItem('xinqiao.screening.answers.{participation.pk}')")
        is None
    )
    violations += _violations(other)

    participation.refresh_from_db()
    response = Response.objects.get(participation=participation)
    assert participation.state == Participation.State.SUBMITTED
    assert (response.total, response.band) == (6, "mild")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_student_at_the_computer_room_enters_with_the_class_code(page, live_server):
    cache.clear()  # wrong class codes are counted there
    cast = _school("e2e-code")
    classmate = make_student(cast.school, 2, name="李小红")
    classmate.school_class = cast.school_class
    classmate.save()
    campaign = open_campaign(cast)
    participation = participation_of(campaign, classmate)
    code = ClassCode.objects.get(campaign=campaign).code
    take = reverse("screening:take", args=[participation.pk])
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.context.add_init_script(LISTEN)
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("screening:class_code"))
    page.get_by_label("班级码").fill("ZZZZZZ")
    page.get_by_label("学号").fill("S2")
    page.get_by_label("姓名").fill("李小红")
    page.get_by_test_id("class-code-open").click()
    expect(page.get_by_test_id("class-code-form")).to_contain_text("班级码、学号或姓名不对")
    expect(page.get_by_label("学号")).to_have_value("S2")
    expect(page.get_by_label("姓名")).to_have_value("李小红")
    page.screenshot(path=SHOTS / "screening-class-code-refused-desktop.png", full_page=True)

    page.get_by_label("班级码").fill(code.lower())
    page.get_by_test_id("class-code-open").click()
    expect(page).to_have_url(re.compile(rf"{take}$"))
    expect(page.get_by_test_id("shared-note")).to_be_visible()
    expect(page.locator("#q-phq9-q9")).to_be_visible()  # a wide screen: all on one page
    for item in ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"):
        _answer(page, item, "完全不会")
    expect(page.get_by_test_id("progress-text")).to_have_text("已答 9 / 9 题")
    page.screenshot(path=SHOTS / "screening-take-desktop.png", full_page=True)
    # The browser's copy lives only while this browser is open: the next student's is clean.
    key = f"xinqiao.screening.answers.{participation.pk}"
    assert page.evaluate(f"localStorage.getItem('{key}')") is None
    assert page.evaluate(f"sessionStorage.getItem('{key}')") is not None
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/done/$"))
    expect(page.get_by_test_id("supportive-message")).to_have_text(MESSAGE)
    expect(page.get_by_test_id("close-browser")).to_contain_text("关闭浏览器")
    assert page.evaluate(f"sessionStorage.getItem('{key}')") is None
    page.screenshot(path=SHOTS / "screening-done-shared-desktop.png", full_page=True)
    violations = _violations(page)

    # The next student at this computer finds nothing of it.
    page.goto(take)
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    participation.refresh_from_db()
    assert participation.state == Participation.State.SUBMITTED
    assert participation.via == Participation.Via.CLASS_CODE
    assert violations == []
