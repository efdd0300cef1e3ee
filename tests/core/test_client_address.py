"""The client's address behind the HTTPS proxy (issue 12 item 19): X-Forwarded-For is believed
only from a proxy named in XINQIAO_TRUSTED_PROXIES, and every record of an address uses it."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys

import pytest

from xinqiao.core.net import client_address

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"


@pytest.fixture
def trusted_proxy(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/24"),)


def request_from(rf, remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return rf.get("/", REMOTE_ADDR=remote, **headers)


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(rf, trusted_proxy):
    assert client_address(request_from(rf, PROXY, CLIENT)) == CLIENT
    # A client's own X-Forwarded-For comes first: the proxy appends the address it saw.
    assert client_address(request_from(rf, PROXY, f"1.2.3.4, {CLIENT}")) == CLIENT
    # Several trusted proxies: the first address from the right that none of them is.
    assert client_address(request_from(rf, PROXY, f"{CLIENT}, 10.0.0.9")) == CLIENT
    assert client_address(request_from(rf, PROXY)) == PROXY


def test_a_forwarded_value_that_is_no_address_ends_the_walk(rf, trusted_proxy):
    assert client_address(request_from(rf, PROXY, f"{CLIENT}, bogus")) == PROXY


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(rf, settings):
    settings.TRUSTED_PROXIES = ()
    assert client_address(request_from(rf, CLIENT, "1.2.3.4")) == CLIENT


def test_an_untrusted_sender_cannot_choose_its_address(rf, trusted_proxy):
    assert client_address(request_from(rf, CLIENT, "10.0.0.7")) == CLIENT


@pytest.mark.django_db
def test_the_access_log_and_security_events_record_the_client_behind_the_proxy(
    client, cast, trusted_proxy
):
    from xinqiao.core.access_log import record_access
    from xinqiao.core.models import SecurityEvent

    client.post(
        "/accounts/sign-in/",
        {"username": "principal", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN_FAILED).get()
    assert event.ip == CLIENT

    from django.test import RequestFactory

    request = RequestFactory().get("/x/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    entry = record_access(actor=cast.director, action="read", object_type="t", request=request)
    assert entry.ip == CLIENT


def test_the_change_history_uses_the_same_address(rf, trusted_proxy):
    from xinqiao.core.middleware import AuditlogMiddleware

    request = request_from(rf, CLIENT, "6.6.6.6")
    assert AuditlogMiddleware._get_remote_addr(request) == CLIENT
    assert AuditlogMiddleware._get_remote_addr(request_from(rf, PROXY, CLIENT)) == CLIENT


def test_the_lockout_uses_the_same_address(rf, trusted_proxy):
    from axes.helpers import get_client_ip_address

    assert get_client_ip_address(request_from(rf, PROXY, CLIENT)) == CLIENT


@pytest.mark.parametrize("value", ["bogus", "10.0.0.5/8", "300.1.1.1"])
def test_settings_refuse_a_trusted_proxy_that_is_no_address(tmp_path, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINQIAO_", "PYTEST"))}
    env.update(
        XINQIAO_DATA_DIR=str(tmp_path),
        XINQIAO_TRUSTED_PROXIES=f"127.0.0.1, {value}",
        DJANGO_SETTINGS_MODULE="xinqiao.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import xinqiao.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "XINQIAO_TRUSTED_PROXIES" in result.stderr
