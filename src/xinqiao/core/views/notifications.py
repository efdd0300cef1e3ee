from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinqiao.core.models import Notification
from xinqiao.core.notifications import notification_mark_read
from xinqiao.core.params import parse_id


@login_required
def notification_list(request):
    notifications = Notification.objects.for_user(request.user)
    if request.GET.get("unread"):
        notifications = notifications.unread()
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_mark_read(request):
    ids = [parse_id(i) for i in request.POST.getlist("id") if i] or None
    notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("core:notifications")
