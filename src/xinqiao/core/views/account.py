"""A person's own account: two-factor status, API tokens, sign out everywhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from xinqiao.core import services, two_factor
from xinqiao.core.forms import ApiTokenForm
from xinqiao.core.models import ApiToken


@login_required
def account_security(request):
    can_use_tokens = request.user.has_perm("core.use_api_tokens")
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and can_use_tokens and form.is_valid():
        _token, new_key = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], request=request
        )
        form = ApiTokenForm()
    return render(
        request,
        "core/account_security.html",
        {
            "form": form,
            "new_key": new_key,
            "can_use_tokens": can_use_tokens,
            "tokens": request.user.api_tokens.all() if can_use_tokens else [],
            "token_days": settings.API_TOKEN_DAYS,
            "has_device": user_has_device(request.user, confirmed=True),
            "second_factor_required": two_factor.requires_second_factor(request.user),
        },
    )


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, request=request)
    messages.success(request, _("The token is revoked."))
    return redirect("core:account_security")


@login_required
@require_POST
def sign_out_everywhere(request):
    services.user_sign_out_everywhere(user=request.user, request=request)
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect("core:login")
