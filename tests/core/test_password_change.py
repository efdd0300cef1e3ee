"""Changing one's password: only once every sign-in step is done, and only with the current one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD
from xinqiao.core.models import SecurityEvent

pytestmark = pytest.mark.django_db

NEW = "a-much-better-passphrase-7"


def change(client, old=TEST_PASSWORD, new=NEW):
    data = {"new_password1": new, "new_password2": new}
    if old is not None:
        data["old_password"] = old
    return client.post(reverse("core:password_change"), data)


def assert_password_unchanged(user):
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert not SecurityEvent.objects.filter(kind="password_changed", user=user).exists()


def test_counselor_signed_in_with_the_password_only_cannot_change_it(client, cast):
    TOTPDevice.objects.create(user=cast.counselor, name="phone", confirmed=True)
    client.post(reverse("core:login"), {"username": "counselor", "password": TEST_PASSWORD})
    assert client.get("/").url == reverse("core:otp_verify")

    response = change(client)

    assert response.status_code == 302
    assert response.url == reverse("core:otp_verify")
    assert_password_unchanged(cast.counselor)


def test_counselor_without_a_device_sets_up_the_second_factor_before_changing_the_password(
    client, cast
):
    client.post(reverse("core:login"), {"username": "counselor", "password": TEST_PASSWORD})

    response = change(client)

    assert response.url == reverse("core:otp_enroll")
    assert_password_unchanged(cast.counselor)


def test_an_issued_password_of_a_two_factor_account_is_changed_after_the_second_factor(
    client, cast
):
    cast.counselor.must_change_password = True
    cast.counselor.save()
    TOTPDevice.objects.create(user=cast.counselor, name="phone", confirmed=True)
    client.post(reverse("core:login"), {"username": "counselor", "password": TEST_PASSWORD})
    assert client.get("/").url == reverse("core:otp_verify")

    assert change(client).url == reverse("core:otp_verify")
    assert_password_unchanged(cast.counselor)


def test_the_password_is_not_changed_without_the_current_password(client, cast, signed_in):
    signed_in(cast.counselor)

    response = change(client, old=None)

    assert response.status_code == 200
    assert "这个字段是必填项" in " ".join(response.context["form"].errors["old_password"])
    assert_password_unchanged(cast.counselor)


def test_the_password_is_not_changed_with_a_wrong_current_password(client, cast, signed_in):
    signed_in(cast.counselor)

    response = change(client, old="not-the-password")

    assert response.status_code == 200
    assert "旧密码不正确" in " ".join(response.context["form"].errors["old_password"])
    assert_password_unchanged(cast.counselor)


def test_the_password_is_changed_with_the_current_one_after_both_factors(client, cast, signed_in):
    signed_in(cast.counselor)

    response = change(client)

    assert response.status_code == 302
    cast.counselor.refresh_from_db()
    assert cast.counselor.check_password(NEW)
    assert client.get("/").status_code == 200  # this session goes on
