"""Sign-in events worth an administrator's attention go to SecurityEvent."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from xinqiao.core import services
from xinqiao.core.models import SecurityEvent


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    services.security_event_record(kind=SecurityEvent.Kind.SIGNED_IN, user=user, request=request)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    services.security_event_record(
        kind=SecurityEvent.Kind.SIGN_IN_FAILED,
        username=credentials.get("username", ""),
        request=request,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    services.security_event_record(
        kind=SecurityEvent.Kind.LOCKED_OUT, username=username or "", request=request
    )
