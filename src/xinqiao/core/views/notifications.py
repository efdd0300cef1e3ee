from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinqiao.core.access import get_or_refuse
from xinqiao.core.models import Notification
from xinqiao.core.notifications import (
    LinkExpired,
    LinkInvalid,
    Via,
    notification_acknowledge,
    notification_from_token,
    notification_mark_read,
)
from xinqiao.core.params import parse_id


@login_required
def notification_list(request):
    """The list; htmx polls its items (``notifications.html`` → the list fragment) so new and
    acknowledged notices show without reloading."""
    notifications = Notification.objects.for_user(request.user)
    if request.GET.get("unread"):
        notifications = notifications.unread()
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    template = "core/notification_items.html" if request.htmx else "core/notifications.html"
    return render(request, template, {"page": page})


@login_required
def notification_bell(request):
    """The bell with the unread count, polled by every page (base.html)."""
    return render(request, "core/notification_bell.html")


@login_required
@require_POST
def notifications_mark_read(request):
    ids = [parse_id(i) for i in request.POST.getlist("id") if i] or None
    notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_acknowledge_view(request, pk):
    notification = get_or_refuse(request, Notification, pk, confidential=False)
    notification_acknowledge(actor=request.user, notification=notification, via=Via.IN_APP)
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "core/notification_item.html", {"n": notification})
    return redirect("core:notifications")


@never_cache
def acknowledge_link(request, token):
    """The link in outside messages: a page to confirm on GET (link scanners fetch GETs),
    the acknowledgement on POST, for the recipient without signing in. It shows the
    message's own title, nothing more."""
    try:
        notification = notification_from_token(token)
    except LinkExpired:
        return render(request, "core/acknowledge_link.html", {"state": "expired"}, status=410)
    except LinkInvalid:
        return render(request, "core/acknowledge_link.html", {"state": "invalid"}, status=404)
    state = "done" if notification.acknowledged_at else "confirm"
    if request.method == "POST" and state == "confirm":
        acknowledged = notification_acknowledge(
            actor=notification.recipient, notification=notification, via=Via.LINK
        )
        state = "acknowledged" if acknowledged else "done"
    context = {"state": state, "notification": notification}
    return render(request, "core/acknowledge_link.html", context)
