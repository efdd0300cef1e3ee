"""Urgent notices on outside channels (issue 14 item 3): e-mail and WeCom / DingTalk group robots.

A notice that requires acknowledgement gets one ``Delivery`` per channel of its school, due
``after_minutes`` after the notice: silence in the app tries the first channel, silence there
the next. Acknowledging the notice cancels what is not sent yet.

Workers (``xinqiao worker``, any number of them, on any server) claim due deliveries with a
conditional UPDATE that sets a lease, so two never send the same one; a worker killed
mid-flight leaves its delivery to be claimed again once the lease ran out. The claim sends
at least once: a worker killed between the receiver's answer and its own commit would send
again after the lease, which for a safety notice beats losing it.

Messages carry the notice's neutral title and text and the acknowledgement link, nothing else.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from xinqiao.core import directory
from xinqiao.core.history import service
from xinqiao.core.models import Delivery, DeliveryChannel, Notification, User
from xinqiao.core.notifications import acknowledgement_url, notify
from xinqiao.core.roles import Role

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 10
Kind = DeliveryChannel.Kind


class SendFailed(Exception):
    """The channel refused or did not answer; the message says why (no content in it)."""


# --- Planning ---------------------------------------------------------------------------------


def deliveries_plan(*, notifications: list[Notification]) -> list[Delivery]:
    """The outside deliveries of new notices (inside notify's transaction); the task that
    sends them is queued for when each falls due, the minute sweep catches any it misses."""
    school_ids = {n.school_id for n in notifications}
    channels = list(DeliveryChannel.objects.filter(school_id__in=school_ids, enabled=True))
    planned = [
        Delivery(
            notification=notification,
            channel=channel,
            school_id=channel.school_id,
            next_attempt_at=notification.created_at
            + datetime.timedelta(minutes=channel.after_minutes),
        )
        for notification in notifications
        for channel in channels
        if channel.school_id == notification.school_id
        and (channel.kind != Kind.EMAIL or notification.recipient.email)
    ]
    if not planned:
        return []
    created = Delivery.objects.bulk_create(planned, ignore_conflicts=True)
    delays = sorted({channel.after_minutes * 60 for channel in channels})
    transaction.on_commit(lambda: _queue_sends(delays))
    return created


def _queue_sends(delays: list[int]) -> None:
    from xinqiao.core.tasks import send_due_deliveries

    for delay in delays:
        if delay:
            # A second late, so that the task finds them due on a server with a slower clock.
            send_due_deliveries.schedule(delay=delay + 1)
        else:
            send_due_deliveries()


def deliveries_cancel(*, about: Model) -> int:
    """No outside message is needed any more for the notices about ``about`` (someone
    acknowledged the alert for everyone): what is not sent yet is cancelled. How many."""
    return Delivery.objects.filter(
        notification__object_type=about._meta.label,
        notification__object_id=about.pk,
        state=Delivery.State.PENDING,
    ).update(state=Delivery.State.CANCELLED, lease_until=None)


# --- Claiming and sending ---------------------------------------------------------------------


def delivery_claim(*, now: datetime.datetime | None = None) -> Delivery | None:
    """Take one due delivery for this worker, or None when none is due.

    The UPDATE is conditional on the row still being free, so of two workers that picked the
    same row one updates it and the other moves on (SQLite and PostgreSQL alike)."""
    now = now or timezone.now()
    lease = now + datetime.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    due = Delivery.objects.filter(
        free,
        state=Delivery.State.PENDING,
        next_attempt_at__lte=now,
        notification__acknowledged_at__isnull=True,
    )
    for pk in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:20]:
        # Conditions on the row itself only: PostgreSQL re-checks them on the row a concurrent
        # claim just committed, which it would not do for a join (Django makes that a
        # subquery). An acknowledgement in between sets the row cancelled: no longer pending.
        taken = Delivery.objects.filter(free, pk=pk, state=Delivery.State.PENDING).update(
            lease_until=lease, attempts=F("attempts") + 1
        )
        if taken:
            return Delivery.objects.select_related("notification__recipient", "channel").get(pk=pk)
    return None


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Claim and send due deliveries until none is left; how many were sent."""
    sent = 0
    while (delivery := delivery_claim(now=now)) is not None:
        sent += delivery_send(delivery=delivery, now=now)
    return sent


def delivery_send(*, delivery: Delivery, now: datetime.datetime | None = None) -> bool:
    """Send one claimed delivery and record the outcome: sent; or a retry after
    ``DELIVERY_RETRY_SECONDS`` doubled per attempt; or failed after ``DELIVERY_ATTEMPTS``."""
    try:
        deliver(delivery.channel, delivery.notification, now=now)
    except Exception as error:  # any failure counts against the attempts, or it never ends
        if not isinstance(error, SendFailed):
            log.exception("delivery %s: unexpected error", delivery.pk)
            error = SendFailed(error.__class__.__name__)
        now = now or timezone.now()
        failed = delivery.attempts >= settings.DELIVERY_ATTEMPTS
        wait = settings.DELIVERY_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
        with transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.FAILED if failed else Delivery.State.PENDING,
                next_attempt_at=now + datetime.timedelta(seconds=wait),
                lease_until=None,
                last_error=str(error)[:300],
            )
            if failed:
                _tell_directors_of_failure(delivery)
        log.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        if not failed:
            _queue_sends([wait])
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return True


def _tell_directors_of_failure(delivery: Delivery) -> None:
    from django.urls import reverse

    with override(settings.LANGUAGE_CODE):
        notify(
            recipients=directory.roles().holders(delivery.school_id, Role.DIRECTOR),
            title=_("An urgent notice could not be sent on “%(channel)s”")
            % {"channel": delivery.channel.name},
            body=_("Check the channel, then send it again: the notice is listed with the error."),
            url=reverse("core:deliveries"),
            level=Notification.Level.ACTION,
            school_id=delivery.school_id,
        )


@service
def delivery_retry(*, actor: User, delivery: Delivery) -> None:
    """The director or administrator sends a failed delivery again, now."""
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
        state=Delivery.State.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        lease_until=None,
    )
    transaction.on_commit(lambda: _queue_sends([0]))


# --- Messages ---------------------------------------------------------------------------------


def deliver(channel: DeliveryChannel, notification: Notification, *, now=None) -> None:
    """Send the notice on the channel, in Chinese (the school's language)."""
    with override(settings.LANGUAGE_CODE):
        link = acknowledgement_url(notification, now=now)
        recipient = notification.recipient
        if channel.kind == Kind.EMAIL:
            send_email(recipient.email, notification.title, notification.body, link)
        else:
            post_json(channel, robot_payload(channel, notification, link))


def _lines(title: str, body: str, link: str, recipient: User) -> tuple[str, str]:
    """The message's text: who it is for, the neutral title and text, the link."""
    heading = _("For %(name)s: %(title)s") % {"name": recipient.display_name, "title": title}
    if not link:
        return heading, body
    hours = settings.ACKNOWLEDGE_LINK_HOURS
    action = _("Acknowledge (the link works once, for %(hours)s hours)") % {"hours": hours}
    return heading, "\n\n".join(filter(None, [body, f"{action}: {link}"]))


def send_email(address: str, title: str, body: str, link: str) -> None:
    text = "\n\n".join(
        filter(None, [body, _("Acknowledge this notice: %(link)s") % {"link": link}])
    )
    try:
        send_mail(title, text, None, [address], fail_silently=False)
    except Exception as error:  # smtplib, socket and backend errors alike
        raise SendFailed(f"e-mail: {error.__class__.__name__}: {error}") from error


def robot_payload(channel: DeliveryChannel, notification: Notification, link: str) -> dict:
    """The exact JSON the robots expect (WeCom: developer.work.weixin.qq.com/document/path/91770;
    DingTalk: open.dingtalk.com custom robot)."""
    recipient = notification.recipient
    mobiles = [recipient.phone] if channel.mention_mobiles and recipient.phone else []
    heading, text = _lines(notification.title, notification.body, link, recipient)
    if channel.kind == Kind.WECOM:
        if mobiles:  # only text messages mention by mobile number
            return {
                "msgtype": "text",
                "text": {"content": f"{heading}\n{text}", "mentioned_mobile_list": mobiles},
            }
        return {"msgtype": "markdown", "markdown": {"content": f"**{heading}**\n{text}"}}
    mentions = " ".join(f"@{mobile}" for mobile in mobiles)
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": notification.title,
            "text": "\n\n".join(filter(None, [f"#### {heading}", text, mentions])),
        },
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64,
    URL-encoded, added as ``&timestamp=&sign=``."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def post_json(channel: DeliveryChannel, payload: dict) -> None:
    url = channel.webhook_url
    if channel.kind == Kind.DINGTALK and channel.secret:
        url = dingtalk_signed_url(url, channel.secret)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SendFailed("not an http(s) address")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read(4096)
    except urllib.error.HTTPError as error:
        raise SendFailed(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise SendFailed(
            f"{error.__class__.__name__}: {getattr(error, 'reason', error)}"
        ) from error
    try:
        result = json.loads(answer or b"{}")
    except ValueError:
        result = {}
    # Both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; another errcode is a refusal.
    if isinstance(result, dict) and result.get("errcode", 0) != 0:
        raise SendFailed(f"errcode {result.get('errcode')}: {str(result.get('errmsg', ''))[:200]}")


# --- The administrator's channel settings -----------------------------------------------------


@service
def channel_save(*, actor: User, channel: DeliveryChannel) -> DeliveryChannel:
    channel.save()
    return channel


@service
def channel_delete(*, actor: User, channel: DeliveryChannel) -> None:
    channel.delete()


def channel_test_send(*, actor: User, channel: DeliveryChannel) -> None:
    """A test message on the channel to the administrator (SendFailed says why not)."""
    with override(settings.LANGUAGE_CODE):
        title = _("Xinqiao test message")
        body = _("The channel “%(name)s” works.") % {"name": channel.name}
        if channel.kind == Kind.EMAIL:
            if not actor.email:
                raise SendFailed(_("Your account has no e-mail address to send the test to."))
            send_email(actor.email, title, body, settings.SITE_URL)
            return
        test = Notification(recipient=actor, title=title, body=body)
        post_json(channel, robot_payload(channel, test, link=""))
