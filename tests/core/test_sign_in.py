from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD
from xinqiao.core.models import SecurityEvent

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"


def post_sign_in(client, username, password):
    return client.post(SIGN_IN, {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_sign_in_page_answers_in_chinese_by_default(client):
    response = client.get(SIGN_IN, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert response.headers["Content-Language"] == "zh-hans"


def test_class_teacher_signs_in_with_password_alone(client, cast):
    response = post_sign_in(client, "class_teacher", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_unknown_and_locked_accounts_get_the_same_answer(client, cast):
    wrong = post_sign_in(client, "class_teacher", "not-the-password")
    unknown = post_sign_in(client, "nobody-here", "not-the-password")
    for _ in range(6):
        post_sign_in(client, "duty", "not-the-password")
    locked = post_sign_in(client, "duty", TEST_PASSWORD)
    assert wrong.status_code == unknown.status_code == locked.status_code == 200
    message = wrong.context["form"].non_field_errors()
    assert message == unknown.context["form"].non_field_errors()
    assert message == locked.context["form"].non_field_errors()


def test_six_wrong_passwords_lock_the_account_and_are_recorded(client, cast, signed_in):
    for _ in range(6):
        post_sign_in(client, "student", "wrong-password")
    # Even the right password is refused now, whichever address it comes from.
    response = client.post(
        SIGN_IN, {"username": "student", "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert SecurityEvent.objects.filter(kind="locked_out", username="student").exists()
    assert SecurityEvent.objects.filter(kind="sign_in_failed", username="student").count() >= 6

    signed_in(cast.admin)
    page = client.get(reverse("core:lockouts"))
    assert [(a.username, a.failures_since_start) for a in page.context["attempts"]] == [
        ("student", 6)
    ]
    # The lock, and the refused attempt with the right password after it, are in the history.
    events = client.get(reverse("core:security_events"), {"kind": "locked_out"})
    assert {(e.kind, e.username) for e in events.context["page"]} == {("locked_out", "student")}
    client.post(reverse("core:unlock"), {"username": "student"})
    assert not AccessAttempt.objects.filter(username="student").exists()
    assert SecurityEvent.objects.filter(kind="unlocked", username="student").exists()
    client.logout()
    assert post_sign_in(client, "student", TEST_PASSWORD).status_code == 302


def test_five_wrong_passwords_do_not_lock_the_account(client, cast):
    for _ in range(5):
        post_sign_in(client, "student", "wrong-password")
    assert post_sign_in(client, "student", TEST_PASSWORD).status_code == 302
    assert not SecurityEvent.objects.filter(kind="locked_out").exists()


def test_counselor_must_set_up_two_factor_before_anything_else(client, cast):
    post_sign_in(client, "counselor", TEST_PASSWORD)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("core:otp_enroll")
    client.get(reverse("core:otp_enroll"))
    device = TOTPDevice.objects.get(user=cast.counselor, confirmed=False)
    response = client.post(reverse("core:otp_enroll"), {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_counselor_with_a_device_gives_the_code_after_the_password(client, cast):
    device = TOTPDevice.objects.create(user=cast.counselor, name="phone", confirmed=True)
    post_sign_in(client, "counselor", TEST_PASSWORD)
    assert client.get("/").url == reverse("core:otp_verify")
    wrong = client.post(reverse("core:otp_verify"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("core:otp_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_api_refuses_a_session_without_the_second_factor(client, cast):
    TOTPDevice.objects.create(user=cast.director, name="phone", confirmed=True)
    post_sign_in(client, "director", TEST_PASSWORD)
    assert client.get("/api/me").status_code == 401


def test_first_sign_in_with_an_issued_password_forces_a_new_one(client, cast):
    cast.student.must_change_password = True
    cast.student.save()
    post_sign_in(client, "student", TEST_PASSWORD)
    assert client.get("/").url == reverse("core:password_change")
    short = client.post(
        reverse("core:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert short.status_code == 200
    assert short.context["form"].errors
    good = "a-much-better-passphrase-7"
    response = client.post(
        reverse("core:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": good, "new_password2": good},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    cast.student.refresh_from_db()
    assert not cast.student.must_change_password


@pytest.mark.parametrize(
    "engine",
    ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"],
)
def test_staff_are_signed_out_after_fifteen_idle_minutes(client, cast, signed_in, settings, engine):
    settings.SESSION_ENGINE = engine  # the cache with Redis (tests/core/test_cached_sessions.py)
    signed_in(cast.duty)
    assert client.get("/").status_code == 200
    session = client.session
    session["xinqiao_last_seen"] -= 16 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))
    assert SecurityEvent.objects.filter(kind="idle_timeout", username="duty").exists()


def test_students_are_not_signed_out_when_idle(client, cast, signed_in):
    signed_in(cast.student)
    client.get("/")
    session = client.session
    session["xinqiao_last_seen"] = 0
    session.save()
    assert client.get("/").status_code == 200


def test_sign_out_everywhere_ends_other_sessions_and_tokens(client, cast, signed_in):
    from django.test import Client

    from xinqiao.core.services import api_token_create

    other_device = sign_in_elsewhere = Client()
    sign_in_elsewhere.force_login(cast.principal)
    _token, key = api_token_create(user=cast.principal, name="script")
    signed_in(cast.principal)
    client.post(reverse("core:sign_out_everywhere"))
    assert other_device.get("/").status_code == 302
    assert client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
