"""Which sign-in steps a signed-in person still owes: a new password, a second factor."""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device


def has_confirmed_device(user) -> bool:
    """Whether the user has set up an authenticator; asked once per request (cached).

    A session verified with a device has one: django-otp's middleware only keeps a confirmed
    device of this user as ``otp_device``, so no query is needed then.
    """
    cached = user.__dict__.get("_has_confirmed_device")
    if cached is None:
        verified = getattr(user, "otp_device", None) is not None
        cached = verified or user_has_device(user, confirmed=True)
        user.__dict__["_has_confirmed_device"] = cached
    return cached


def requires_second_factor(user) -> bool:
    """Required for roles that read confidential material; for others once they set it up."""
    return bool(user.roles & settings.TWO_FACTOR_ROLES) or has_confirmed_device(user)


def pending_step(request) -> str | None:
    """``password``, ``enroll``, ``verify`` or None when the person may use the site."""
    user = request.user
    if not user.is_authenticated:
        return None
    second_factor_owed = requires_second_factor(user) and not user.is_verified()
    # A second factor already set up is given first: the password alone opens nothing, not
    # even the password change (issue 12, item 1).
    if second_factor_owed and has_confirmed_device(user):
        return "verify"
    if user.must_change_password:
        return "password"
    if second_factor_owed:
        return "enroll"
    return None


def is_fully_signed_in(request) -> bool:
    return request.user.is_authenticated and pending_step(request) is None
