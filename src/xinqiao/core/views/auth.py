"""Sign-in, the second factor, first-time password, sign-out."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinqiao.core import services, two_factor
from xinqiao.core.forms import NewPasswordForm, SignInForm, VerificationCodeForm
from xinqiao.core.models import SecurityEvent
from xinqiao.core.redirects import safe_next


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "core/sign_in.html"
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """Axes calls this for a locked account: answer exactly as for a wrong password."""
    if original_response is not None:
        return original_response
    form = SignInForm(request, data=request.POST or None)
    form.is_valid()
    return render(request, "core/sign_in.html", {"form": form})


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.security_event_record(
            kind=SecurityEvent.Kind.SIGNED_OUT, user=request.user, request=request
        )
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("core:login")


def _demo_code(device: TOTPDevice) -> str | None:
    """Demo accounts' current code, shown only when the site runs in demo mode."""
    if not settings.DEMO_MODE or device.name != "demo":
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@login_required
def otp_verify(request):
    if two_factor.pending_step(request) != "verify":
        return redirect("core:home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    form = VerificationCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(
                safe_next(request, request.GET.get("next")) or settings.LOGIN_REDIRECT_URL
            )
        services.security_event_record(
            kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED, user=request.user, request=request
        )
        form.add_error(
            "code",
            _("The code is not right or has expired.")
            if allowed
            else _("Too many wrong codes: wait a moment, then try again."),
        )
    return render(request, "core/otp_verify.html", {"form": form, "demo_code": _demo_code(device)})


@login_required
def otp_enroll(request):
    """Set up an authenticator app: scan the QR code, type one code to confirm."""
    if two_factor.pending_step(request) not in ("enroll", None):
        return redirect("core:home")
    if request.method == "POST":
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    else:
        device = services.totp_device_start(user=request.user)
    form = VerificationCodeForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            services.totp_device_confirm(device=device, request=request)
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect("core:home")
        form.add_error("code", _("The code is not right or has expired."))
    if device is None:
        device = services.totp_device_start(user=request.user)
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "core/otp_enroll.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": _base32(device),
            "has_device": user_has_device(request.user, confirmed=True),
        },
    )


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


@login_required
def password_change(request):
    step = two_factor.pending_step(request)
    if step in ("verify", "enroll"):  # the second factor comes first
        return redirect("core:otp_verify" if step == "verify" else "core:otp_enroll")
    form = NewPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(
            user=request.user, password=form.cleaned_data["new_password1"], request=request
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your new password is saved."))
        return redirect("core:home")
    return render(
        request,
        "core/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )
