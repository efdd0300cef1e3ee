"""The administrator's view of sign-in security: locked accounts and security events."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core import services, sign_in
from xinqiao.core.decorators import permission_required
from xinqiao.core.models import SecurityEvent


@permission_required("core.unlock_account")
def lockouts(request):
    attempts = sign_in.locks_in_force()
    return render(
        request,
        "core/lockouts.html",
        {
            "attempts": attempts.order_by("-attempt_time"),
            "limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": settings.LOCKOUT_COOLOFF_MINUTES,
        },
    )


@require_POST
@permission_required("core.unlock_account")
def unlock(request):
    username = request.POST.get("username", "")
    if username:
        services.account_unlock(actor=request.user, username=username, request=request)
        messages.success(request, _("Account %(name)s is unlocked.") % {"name": username})
    return redirect("core:lockouts")


@permission_required("core.view_security_events")
def security_events(request):
    events = SecurityEvent.objects.all()
    kind = request.GET.get("kind", "")
    username = request.GET.get("username", "").strip()
    if kind in SecurityEvent.Kind.values:
        events = events.filter(kind=kind)
    if username:
        events = events.filter(username=username)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/security_events.html",
        {"page": page, "kinds": SecurityEvent.Kind.choices, "kind": kind, "username": username},
    )
