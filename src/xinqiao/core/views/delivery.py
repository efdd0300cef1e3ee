"""The school's outside channels (the administrator's) and the deliveries that failed (the
director's and the administrator's), issue 14."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core import delivery, directory
from xinqiao.core.access import get_or_refuse
from xinqiao.core.decorators import permission_required
from xinqiao.core.delivery_forms import DeliveryChannelForm
from xinqiao.core.models import Delivery, DeliveryChannel
from xinqiao.core.params import parse_id, query_id

MANAGE = "core.manage_delivery_channels"
VIEW = "core.view_deliveries"


def _school(request, school_id: int | None) -> tuple[int, str, list[tuple[int, str]]]:
    """The school asked for (the first one when none is), its name, and all of them."""
    schools = directory.roles().schools(request.user)
    if not schools:
        raise BadRequest("no school")
    names = dict(schools)
    school_id = school_id or schools[0][0]
    if school_id not in names:
        raise BadRequest("not a school of yours")
    return school_id, names[school_id], schools


def _channels_page(request, school_id: int, form: DeliveryChannelForm, status: int = 200):
    school_id, school_name, schools = _school(request, school_id)
    channels = DeliveryChannel.objects.for_user(request.user).filter(school_id=school_id)
    context = {
        "school_id": school_id,
        "school_name": school_name,
        "schools": schools,
        "channels": channels,
        "form": form,
    }
    return render(request, "core/delivery_channels.html", context, status=status)


@permission_required(MANAGE)
def channel_list(request):
    form = DeliveryChannelForm(initial={"after_minutes": settings.DELIVERY_SILENCE_MINUTES})
    return _channels_page(request, query_id(request, "school"), form)


@require_POST
@permission_required(MANAGE)
def channel_add(request):
    school_id, _name, _schools = _school(request, parse_id(request.POST.get("school")))
    form = DeliveryChannelForm(request.POST, instance=DeliveryChannel(school_id=school_id))
    if not form.is_valid():
        return _channels_page(request, school_id, form, status=400)
    delivery.channel_save(actor=request.user, channel=form.save())
    messages.success(request, _("The channel is saved."))
    return redirect(f"{reverse('core:delivery_channels')}?school={school_id}")


@permission_required(MANAGE)
def channel_edit(request, pk):
    channel = get_or_refuse(request, DeliveryChannel, pk, MANAGE)
    form = DeliveryChannelForm(request.POST or None, instance=channel)
    if request.method == "POST":
        if form.is_valid():
            delivery.channel_save(actor=request.user, channel=form.save())
            messages.success(request, _("The channel is saved."))
            return redirect(f"{reverse('core:delivery_channels')}?school={channel.school_id}")
        status = 400
    else:
        status = 200
    return render(
        request,
        "core/delivery_channel_form.html",
        {"form": form, "channel": channel},
        status=status,
    )


@require_POST
@permission_required(MANAGE)
def channel_delete(request, pk):
    channel = get_or_refuse(request, DeliveryChannel, pk, MANAGE)
    delivery.channel_delete(actor=request.user, channel=channel)
    messages.success(request, _("The channel is removed."))
    return redirect(f"{reverse('core:delivery_channels')}?school={channel.school_id}")


@require_POST
@permission_required(MANAGE)
def channel_test(request, pk):
    channel = get_or_refuse(request, DeliveryChannel, pk, MANAGE)
    try:
        delivery.channel_test_send(actor=request.user, channel=channel)
    except delivery.SendFailed as error:
        messages.error(request, _("The test message was not sent: %(error)s") % {"error": error})
    else:
        messages.success(request, _("The test message was sent. Check that it arrived."))
    return redirect(f"{reverse('core:delivery_channels')}?school={channel.school_id}")


STATE_FILTERS = {"failed": [Delivery.State.FAILED], "pending": [Delivery.State.PENDING]}


@permission_required(VIEW)
def delivery_list(request):
    """Failed deliveries first (with their error and a retry button); the waiting ones and
    all of them on request."""
    shown = request.GET.get("state", "failed")
    deliveries = Delivery.objects.for_user(request.user).select_related(
        "channel", "notification__recipient"
    )
    if shown in STATE_FILTERS:
        deliveries = deliveries.filter(state__in=STATE_FILTERS[shown])
    page = Paginator(deliveries, 30).get_page(request.GET.get("page"))
    return render(request, "core/deliveries.html", {"page": page, "shown": shown})


@require_POST
@permission_required(VIEW)
def delivery_retry(request, pk):
    failed = get_or_refuse(request, Delivery, pk, VIEW)
    delivery.delivery_retry(actor=request.user, delivery=failed)
    messages.success(request, _("The notice will be sent again now."))
    return redirect(f"{reverse('core:deliveries')}?state=pending")
