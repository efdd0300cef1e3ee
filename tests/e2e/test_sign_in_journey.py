from __future__ import annotations

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, SchoolFactory, make_user
from xinqiao.core.models import SecurityEvent


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.mark.django_db(transaction=True)
def test_counselor_signs_in_with_the_second_factor_and_signs_out(page):
    school = SchoolFactory(name="第一中学", code="e2e-school")
    counselor = make_user("counselor", school=school)
    device = TOTPDevice.objects.create(user=counselor, name="phone", confirmed=True)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录心桥")
    page.get_by_label("账号").fill("counselor")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/accounts/verify/"))
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("alert")).to_be_visible()

    device.refresh_from_db()
    device.throttle_reset()
    page.get_by_label("验证码").fill(current_code(device))
    page.get_by_role("button", name="验证").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("role-cards")).to_contain_text("心理教师")
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    assert SecurityEvent.objects.filter(kind="signed_out", username="counselor").exists()
    assert SecurityEvent.objects.filter(kind="otp_failed", username="counselor").exists()
