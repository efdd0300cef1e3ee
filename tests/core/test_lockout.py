"""Lockout and throttle: the same work for every failure, a cool-off, the administrators told
of a locked two-factor account, and no address locking a school's accounts one by one."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from xinqiao.core.models import Notification, SecurityEvent

pytestmark = pytest.mark.django_db

ATTACKER = "10.0.0.66"


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def lock(client, username, ip="10.0.0.1"):
    for _ in range(6):
        sign_in(client, username, "wrong-password", ip=ip)
    assert AccessAttempt.objects.filter(username=username, failures_since_start=6).exists()


def age_the_lock(username, minutes):
    AccessAttempt.objects.filter(username=username).update(
        attempt_time=timezone.now() - timedelta(minutes=minutes)
    )


def _wrong_password(client, cast, settings):
    return "class_teacher", "wrong-password"


def _unknown_account(client, cast, settings):
    return "nobody-here", "wrong-password"


def _locked_account(client, cast, settings):
    lock(client, "class_teacher")
    return "class_teacher", TEST_PASSWORD


def _disabled_account(client, cast, settings):
    cast.class_teacher.is_active = False
    cast.class_teacher.save()
    return "class_teacher", TEST_PASSWORD


def _throttled_address(client, cast, settings):
    settings.SIGN_IN_ADDRESS_FAILURES = 3
    for name in ("duty", "student", "guardian"):
        sign_in(client, name, "wrong-password")
    return "class_teacher", TEST_PASSWORD


@pytest.mark.parametrize(
    "failure",
    [_wrong_password, _unknown_account, _locked_account, _disabled_account, _throttled_address],
)
def test_every_kind_of_failed_sign_in_runs_the_password_hasher_once(
    client, cast, settings, failure
):
    username, password = failure(client, cast, settings)
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as hasher:
        response = sign_in(client, username, password)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert hasher.call_count == 1


def test_the_lock_lifts_by_itself_after_thirty_minutes(client, cast):
    lock(client, "director")

    age_the_lock("director", 29)
    assert sign_in(client, "director", TEST_PASSWORD).status_code == 200
    age_the_lock("director", 31)
    assert sign_in(client, "director", TEST_PASSWORD).status_code == 302


def test_tries_during_the_lock_do_not_prolong_it(client, cast):
    lock(client, "director")
    age_the_lock("director", 20)
    sign_in(client, "director", "wrong-password")

    last_counted = AccessAttempt.objects.get(username="director").attempt_time
    assert timezone.now() - last_counted > timedelta(minutes=19)


def test_without_a_cool_off_the_lock_waits_for_an_administrator(client, cast, settings):
    settings.AXES_COOLOFF_TIME = None
    lock(client, "director")

    age_the_lock("director", 60 * 24)

    assert sign_in(client, "director", TEST_PASSWORD).status_code == 200


def test_the_lockouts_page_lists_only_the_locks_in_force(client, cast, signed_in):
    lock(client, "director")
    lock(client, "duty")
    age_the_lock("duty", 31)
    signed_in(cast.admin)

    page = client.get(reverse("core:lockouts"))

    assert [a.username for a in page.context["attempts"]] == ["director"]


def test_the_administrator_is_told_when_a_two_factor_account_locks(client, cast):
    lock(client, "director")

    notice = Notification.objects.get(recipient=cast.admin)
    assert notice.url == reverse("core:lockouts")
    assert "director" in notice.title
    assert Notification.objects.count() == 1


def test_nobody_is_told_when_an_account_without_two_factor_locks(client, cast):
    lock(client, "class_teacher")

    assert not Notification.objects.exists()


def test_one_address_cannot_lock_a_schools_accounts_one_after_another(client, cast, settings):
    settings.SIGN_IN_ADDRESS_FAILURES = 10
    lock(client, "student", ip=ATTACKER)
    for _ in range(4):
        sign_in(client, "duty", "wrong-password", ip=ATTACKER)

    for _ in range(6):
        refused = sign_in(client, "class_teacher", "wrong-password", ip=ATTACKER)
    right_password = sign_in(client, "class_teacher", TEST_PASSWORD, ip=ATTACKER)

    assert "此网络登录失败次数过多" in " ".join(refused.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    assert right_password.status_code == 200
    assert not AccessAttempt.objects.filter(username="class_teacher").exists()
    assert SecurityEvent.objects.filter(kind="sign_in_throttled", ip=ATTACKER).count() == 7
    # The school's other computers are not held up, and the account was never counted.
    assert sign_in(client, "class_teacher", TEST_PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_address_throttle_lifts_after_its_window(client, cast, settings):
    settings.SIGN_IN_ADDRESS_FAILURES = 3
    for name in ("duty", "student", "guardian"):
        sign_in(client, name, "wrong-password", ip=ATTACKER)
    SecurityEvent.objects.filter(ip=ATTACKER).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )

    assert sign_in(client, "class_teacher", TEST_PASSWORD, ip=ATTACKER).status_code == 302


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("XINQIAO_LOCKOUT_COOLOFF_MINUTES", "-1"),
        ("XINQIAO_LOCKOUT_COOLOFF_MINUTES", "half an hour"),
        ("XINQIAO_SIGN_IN_ADDRESS_FAILURES", "0"),
        ("XINQIAO_SIGN_IN_ADDRESS_MINUTES", "0"),
    ],
)
def test_a_bad_lockout_setting_stops_start_up(tmp_path, name, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINQIAO_", "PYTEST"))}
    env.update(XINQIAO_DATA_DIR=str(tmp_path), **{name: value})
    result = subprocess.run(
        [sys.executable, "-c", "import xinqiao.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert name in result.stderr
