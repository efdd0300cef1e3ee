"""A locked or disabled account's sessions and API tokens end; tokens expire by themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinqiao.core.models import ApiToken, SecurityEvent
from xinqiao.core.services import api_token_create

pytestmark = pytest.mark.django_db


def session_and_token_of(user) -> tuple[Client, str]:
    elsewhere = Client()
    elsewhere.force_login(user)
    assert elsewhere.get("/").status_code == 200
    _token, key = api_token_create(user=user, name="script")
    assert api_me(key) == 200
    return elsewhere, key


def api_me(key: str) -> int:
    return Client().get("/api/me", headers={"Authorization": f"Bearer {key}"}).status_code


def test_locking_an_account_ends_its_sessions_and_revokes_its_tokens(client, cast):
    elsewhere, key = session_and_token_of(cast.principal)

    for _ in range(6):
        client.post(reverse("core:login"), {"username": "principal", "password": "wrong-one"})

    assert elsewhere.get("/").status_code == 302
    assert api_me(key) == 401
    assert not ApiToken.objects.filter(user=cast.principal, revoked_at__isnull=True).exists()
    assert SecurityEvent.objects.filter(kind="locked_out", user=cast.principal).count() == 1


def test_tries_on_a_locked_account_record_no_new_lock(client, cast):
    for _ in range(9):
        client.post(reverse("core:login"), {"username": "principal", "password": "wrong-one"})

    assert SecurityEvent.objects.filter(kind="locked_out", username="principal").count() == 1


def test_disabling_an_account_ends_its_sessions_and_tokens_for_good(cast):
    elsewhere, key = session_and_token_of(cast.principal)

    cast.principal.is_active = False
    cast.principal.save()
    cast.principal.is_active = True
    cast.principal.save()

    assert elsewhere.get("/").status_code == 302
    assert api_me(key) == 401
    assert SecurityEvent.objects.filter(kind="deactivated", user=cast.principal).exists()


def test_saving_an_active_account_leaves_its_sessions_and_tokens_alone(cast):
    elsewhere, key = session_and_token_of(cast.principal)

    cast.principal.full_name = "新名字"
    cast.principal.save()

    assert elsewhere.get("/").status_code == 200
    assert api_me(key) == 200


def test_a_token_expires_after_ninety_days(cast):
    token, key = api_token_create(user=cast.principal, name="script")

    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=90), abs=timedelta(minutes=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api_me(key) == 401


def test_the_token_lifetime_is_configurable(cast, settings):
    settings.API_TOKEN_DAYS = 7

    token, _key = api_token_create(user=cast.principal, name="script")

    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(minutes=1)
    )


@pytest.mark.parametrize("value", ["0", "ninety", "-3"])
def test_a_bad_token_lifetime_stops_start_up(tmp_path, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINQIAO_", "PYTEST"))}
    env.update(XINQIAO_DATA_DIR=str(tmp_path), XINQIAO_API_TOKEN_DAYS=value)
    result = subprocess.run(
        [sys.executable, "-c", "import xinqiao.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "XINQIAO_API_TOKEN_DAYS" in result.stderr


def test_the_account_page_lists_ones_tokens_with_their_expiry_and_revokes_them(
    client, cast, signed_in
):
    token, key = api_token_create(user=cast.principal, name="nightly export")
    expired, _key = api_token_create(user=cast.principal, name="old script")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    signed_in(cast.principal)

    account = client.get("/")
    assert reverse("core:account_security") in account.content.decode()
    page = client.get(reverse("core:account_security")).content.decode()

    assert "nightly export" in page
    assert (
        f'data-testid="token-expires-{token.pk}">{timezone.localtime(token.expires_at):%Y-%m-%d}'
        in page
    )
    assert "已过期" in page
    client.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert api_me(key) == 401


def test_nobody_revokes_another_persons_token(client, cast, signed_in):
    token, key = api_token_create(user=cast.principal, name="script")
    signed_in(cast.director)

    response = client.post(reverse("core:api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert api_me(key) == 200
