"""The per-address sign-in throttle beside axes' per-account lockout.

A whole school signs in from one address, so the lockout is keyed on the account alone
(settings.AXES_LOCKOUT_PARAMETERS). Without a second rule one address could lock a school's
accounts one after another: after XINQIAO_SIGN_IN_ADDRESS_FAILURES failed sign-ins from an
address within XINQIAO_SIGN_IN_ADDRESS_MINUTES, further tries from it are refused before any
account is looked at, and count against no account. The failures are the SecurityEvent rows
that every failed sign-in already writes, so every server process sees the same count.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from xinqiao.core.models import SecurityEvent
from xinqiao.core.net import client_address

THROTTLED_FLAG = "xinqiao_sign_in_throttled"


def address_is_throttled(request) -> bool:
    ip = client_address(request)
    if not ip:
        return False
    since = timezone.now() - timedelta(minutes=settings.SIGN_IN_ADDRESS_MINUTES)
    failures = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SIGN_IN_FAILED, ip=ip, created_at__gte=since
    )
    return failures.count() >= settings.SIGN_IN_ADDRESS_FAILURES


def was_throttled(request, credentials=None) -> bool:
    """Whether this request's sign-in was refused by the address throttle. Axes asks it
    (AXES_WHITELIST_CALLABLE) before counting a failure against the account."""
    return getattr(request, THROTTLED_FLAG, False)


def locks_in_force():
    """The accounts locked out now (the administrator's "locked accounts" page and tile)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts
