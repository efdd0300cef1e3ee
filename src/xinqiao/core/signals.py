"""Sign-in events worth an administrator's attention go to SecurityEvent; a disabled account's
sessions and API tokens end."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from xinqiao.core import services, sign_in
from xinqiao.core.models import SecurityEvent, User


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    services.security_event_record(kind=SecurityEvent.Kind.SIGNED_IN, user=user, request=request)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    throttled = sign_in.was_throttled(request)
    services.security_event_record(
        kind=SecurityEvent.Kind.SIGN_IN_THROTTLED
        if throttled
        else SecurityEvent.Kind.SIGN_IN_FAILED,
        username=credentials.get("username", ""),
        request=request,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    # Axes signals every refused attempt on a locked account; only the one that locked it
    # counted its failures (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off).
    if getattr(request, "axes_failures_since_start", None) is not None:
        services.account_locked_out(username=username or "", request=request)


@receiver(pre_save, sender=User)
def _note_deactivation(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    instance._being_deactivated = User.objects.filter(pk=instance.pk, is_active=True).exists()


@receiver(post_save, sender=User)
def _deactivated(sender, instance, **kwargs):
    if instance.__dict__.pop("_being_deactivated", False):
        services.user_deactivated(user=instance)
