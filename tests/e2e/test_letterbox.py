"""A student writes an anonymous letter on a phone; a counselor answers it; the student, signed
out, reads the reply with the pickup code (issue 14, what it must show)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import open_page, sign_in, sign_out
from tests.factories import SchoolFactory, make_user
from tests.letters.factories import send_letter
from tests.rooms.appointment_factories import make_student
from xinqiao.crisis.models import Alert
from xinqiao.crisis.phrases import flags_of, phrase_flag_dismiss, school_phrases
from xinqiao.letters.models import Letter

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("XINQIAO_SCREENSHOTS", "/tmp/xinqiao-screenshots"))


@pytest.mark.django_db(transaction=True)
def test_a_student_sends_an_anonymous_letter_and_reads_the_reply_with_the_pickup_code(
    page, browser, live_server
):
    cache.clear()
    school = SchoolFactory(name="第一中学", code="e2e-letters")
    counselor = make_user("counselor", school=school)
    device = TOTPDevice.objects.create(user=counselor, name="p", confirmed=True)
    student = make_student(school, 1, name="何小明")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size(PHONE)
    sign_in(page, student.user.username)
    page.goto(reverse("letters:write"))
    page.get_by_label("你的信").fill("我不想活了。每天晚上都睡不着，觉得没有人在乎。")
    page.get_by_test_id("letter-anonymous").check()
    page.screenshot(path=SHOTS / "letters-write-phone.png", full_page=True)
    page.get_by_test_id("letter-send").click()
    code = page.get_by_test_id("pickup-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    page.screenshot(path=SHOTS / "letters-sent-phone.png", full_page=True)
    sign_out(page)

    letter = Letter.objects.get()
    assert letter.writer is None
    alert = Alert.objects.get()  # raised within the request that sent the letter
    assert (alert.risk_level, alert.source) == ("crisis", "letter")

    staff = open_page(browser, live_server)
    staff.set_viewport_size(DESKTOP)
    sign_in(staff, counselor.username, device)
    staff.goto(reverse("letters:letterbox"))
    staff.screenshot(path=SHOTS / "letters-letterbox-desktop.png", full_page=True)
    staff.get_by_test_id(f"letter-{letter.pk}").get_by_role("link").click()
    expect(staff.get_by_test_id("letter-body")).to_contain_text("我不想活了")
    expect(staff.get_by_test_id("flag-不想活")).to_be_visible()
    staff.get_by_label("回信").fill("谢谢你愿意写下来。明天中午十二点，心理咨询室的门为你开着。")
    staff.get_by_test_id("reply-send").click()
    expect(staff.get_by_test_id("letter-state")).to_have_text("已回复")
    staff.screenshot(path=SHOTS / "letters-detail-desktop.png", full_page=True)
    staff.context.close()

    page.goto(reverse("letters:pickup"))
    page.get_by_label("取信码").fill(code.lower())
    page.get_by_test_id("pickup-open").click()
    replies = page.get_by_test_id("pickup-replies")
    expect(replies).to_contain_text("心理咨询室的门为你开着")
    expect(replies).not_to_contain_text("我不想活了")
    page.screenshot(path=SHOTS / "letters-pickup-phone.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_director_tunes_the_danger_phrases_on_a_phone(page):
    school = SchoolFactory(name="第一中学", code="e2e-phrases")
    director = make_user("director", school=school)
    device = TOTPDevice.objects.create(user=director, name="p", confirmed=True)
    student = make_student(school, 1, name="何小明")
    cache.clear()
    sent = send_letter(student.user, body="歌词里唱“我想死在你怀里”", anonymous=True)
    phrase_flag_dismiss(actor=director, flag=flags_of(sent.letter).get(), reason="引用歌词")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size(PHONE)
    sign_in(page, director.username, device)
    page.goto(reverse("crisis:phrases"))
    expect(
        page.get_by_test_id("phrase-statistics").locator("tr[data-phrase='想死']")
    ).to_contain_text("100%")
    page.get_by_label("关注").fill("被欺负\n被 打")
    page.get_by_test_id("phrase-save").click()
    expect(page.get_by_text("词语中不能有空格")).to_be_visible()
    page.screenshot(path=SHOTS / "phrases-error-phone.png", full_page=True)
    page.get_by_label("关注").fill("被欺负\n被打\n想静静")
    page.get_by_test_id("phrase-save").click()
    expect(page.get_by_text("危险词列表已保存")).to_be_visible()
    assert "想静静" in school_phrases(school.pk)
