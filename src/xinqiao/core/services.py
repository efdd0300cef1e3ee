"""State changes of the platform: accounts, sign-in security, API tokens."""

from __future__ import annotations

import secrets

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinqiao.core import directory, two_factor
from xinqiao.core.models import ApiToken, Notification, SecurityEvent, User
from xinqiao.core.net import client_address
from xinqiao.core.notifications import notify


def security_event_record(
    *, kind: str, user: User | None = None, username: str = "", actor=None, request=None
) -> SecurityEvent:
    actor = actor or (getattr(request, "user", None) if request is not None else None)
    actor_name = actor.username if getattr(actor, "is_authenticated", False) else ""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.username if user else ""),
        actor_username=actor_name,
        ip=client_address(request),
    )


def account_unlock(*, actor: User, username: str, request=None) -> int:
    """Lift the lockout of an account (administrators only; checked by the view's rule)."""
    with transaction.atomic():
        removed = axes_reset(username=username)
        security_event_record(
            kind=SecurityEvent.Kind.UNLOCKED,
            user=User.objects.filter(username=username).first(),
            username=username,
            actor=actor,
            request=request,
        )
    return removed


def _end_sessions_and_tokens(user: User) -> None:
    """A new session salt voids every session of ``user``; their API tokens are revoked."""
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def account_locked_out(*, username: str, request=None) -> None:
    """The account ``username`` has just been locked after repeated wrong passwords: recorded,
    its sessions and API tokens end (whoever holds them may be the one guessing), and when it
    is a two-factor account (one that reads confidential material) the administrators of its
    schools are told."""
    user = User.objects.filter(username=username).first()
    with transaction.atomic():
        security_event_record(
            kind=SecurityEvent.Kind.LOCKED_OUT, user=user, username=username, request=request
        )
        if user is None:
            return
        _end_sessions_and_tokens(user)
        if two_factor.requires_second_factor(user):
            _notify_lock(user)


def _notify_lock(user: User) -> None:
    cool_off = settings.LOCKOUT_COOLOFF_MINUTES
    if cool_off:
        lifts = _("The lock lifts by itself after %(minutes)s minutes.") % {"minutes": cool_off}
    else:
        lifts = _("The lock stays until an administrator lifts it.")
    notify(
        recipients=directory.roles().administrators_for(user),
        title=_("Two-factor account %(name)s is locked after repeated wrong passwords")
        % {"name": f"{user.display_name} ({user.username})"},
        body=_("Its sessions and API tokens have ended. Find out who tried.") + " " + lifts,
        url=reverse("core:lockouts"),
        level=Notification.Level.ACTION,
        email=True,
    )


def user_sign_out_everywhere(*, user: User, actor: User | None = None, request=None) -> None:
    """End every session and revoke every API token of ``user``."""
    with transaction.atomic():
        _end_sessions_and_tokens(user)
        security_event_record(
            kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE,
            user=user,
            actor=actor or user,
            request=request,
        )


def user_deactivated(*, user: User) -> None:
    """``user`` was just disabled: their sessions and tokens end for good, so that enabling
    the account again does not bring them back (core.signals calls this on every save that
    turns ``is_active`` off, whoever makes it)."""
    with transaction.atomic():
        _end_sessions_and_tokens(user)
        security_event_record(kind=SecurityEvent.Kind.DEACTIVATED, user=user)


def user_set_password(*, user: User, password: str, request=None) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        security_event_record(kind=SecurityEvent.Kind.PASSWORD_CHANGED, user=user, request=request)


def api_token_create(*, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Create a token; the returned key is shown once and never stored."""
    key = "xq_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8]
        )
        security_event_record(kind=SecurityEvent.Kind.TOKEN_CREATED, user=user, request=request)
    return token, key


def api_token_revoke(*, token: ApiToken, request=None) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        security_event_record(
            kind=SecurityEvent.Kind.TOKEN_REVOKED, user=token.user, request=request
        )


def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator device; confirmed once the person types a valid code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_device_confirm(*, device: TOTPDevice, request=None) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        security_event_record(
            kind=SecurityEvent.Kind.SECOND_FACTOR_ENROLLED, user=device.user, request=request
        )
