"""In-app notifications (and e-mail where an address exists), sent after the transaction commits.

A notification says what happened and where to act; it never carries confidential text, because
it may be read on a shared screen or a phone's lock screen, or go out on an outside channel.

Urgent notices must be acknowledged by their recipient (issue 14: "delivered" means a person
acknowledged it): until then they go out on the school's outside channels (core/delivery.py).
Apps learn of an acknowledgement through ``register_acknowledgement_handler``; core imports
no app.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Model
from django.db.models.functions import Coalesce
from django.utils import timezone

from xinqiao.core.history import service
from xinqiao.core.models import Delivery, Notification, User

AcknowledgementHandler = Callable[[Notification, User], None]
_acknowledgement_handlers: list[AcknowledgementHandler] = []

LINK_SALT = "xinqiao.core.notification-acknowledge"


def register_acknowledgement_handler(handler: AcknowledgementHandler) -> None:
    """Call ``handler(notification, user)`` whenever a notification is acknowledged, inside
    the acknowledging transaction (an exception undoes the acknowledgement). The handler
    picks the notices it cares for by ``notification.object_type`` / ``object_id`` (what
    ``notify(about=...)`` named). Register it in ``AppConfig.ready``; registering the same
    function twice keeps one."""
    if handler not in _acknowledgement_handlers:
        _acknowledgement_handlers.append(handler)


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    school_id: int | None = None,
    email: bool = False,
    requires_acknowledgement: bool | None = None,
    about: Model | None = None,
) -> list[Notification]:
    """Create one notification per distinct recipient, inside the caller's transaction.

    ``title`` and ``body`` are the product's own words with dates, numbers and names of staff
    or rooms: never free text someone typed (a reason, a note, a place, a description), which
    is confidential or encrypted where it is kept; ``url`` leads to the page that shows it.

    Urgent notices require acknowledgement unless ``requires_acknowledgement`` says otherwise;
    those of a school are planned on its outside channels in the same transaction. ``about``
    names the object the notice is about (an alert), for the acknowledgement handlers.
    E-mails (``email=True``) are sent by the task queue once the transaction has committed.
    """
    if requires_acknowledgement is None:
        requires_acknowledgement = level == Notification.Level.URGENT
    unique = {user.pk: user for user in recipients if user is not None}
    created = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            title=title,
            body=body,
            url=url,
            level=level,
            school_id=school_id,
            requires_acknowledgement=requires_acknowledgement,
            object_type=about._meta.label if about is not None else "",
            object_id=about.pk if about is not None else None,
        )
        for user in unique.values()
    )
    if requires_acknowledgement and school_id is not None and created:
        from xinqiao.core.delivery import deliveries_plan

        deliveries_plan(notifications=created)
    if email:
        addresses = [user.email for user in unique.values() if user.email]
        if addresses:
            from xinqiao.core.tasks import send_notification_email

            transaction.on_commit(lambda: send_notification_email(title, body, addresses))
    return created


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())


class Via:
    IN_APP = "app"
    LINK = "link"


@service
def notification_acknowledge(
    *, actor: User, notification: Notification, via: str = Via.IN_APP, now=None
) -> bool:
    """The recipient acknowledges the notice: it is read, its outside deliveries not yet sent
    are no longer needed, and the registered handlers run in this transaction. False when it
    was acknowledged already (a second tap, the link used twice) or needs no acknowledgement:
    the conditional update decides, so two at once acknowledge it once."""
    now = now or timezone.now()
    acknowledged = Notification.objects.filter(
        pk=notification.pk,
        recipient=actor,
        requires_acknowledgement=True,
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=now, acknowledged_via=via, read_at=Coalesce("read_at", now))
    if not acknowledged:
        return False
    notification.refresh_from_db()
    Delivery.objects.filter(notification=notification, state=Delivery.State.PENDING).update(
        state=Delivery.State.CANCELLED, lease_until=None
    )
    for handler in _acknowledgement_handlers:
        handler(notification, actor)
    return True


# --- The acknowledgement link in outside messages ---------------------------------------------


def acknowledgement_token(notification: Notification, *, now=None) -> str:
    """A signed token naming the notice and its recipient, valid for
    ``ACKNOWLEDGE_LINK_HOURS`` from ``now``: whoever holds the message may acknowledge it
    without signing in, and learns nothing beyond the message itself."""
    now = now or timezone.now()
    expires = now + datetime.timedelta(hours=settings.ACKNOWLEDGE_LINK_HOURS)
    payload = {"n": notification.pk, "u": notification.recipient_id, "e": int(expires.timestamp())}
    return signing.dumps(payload, salt=LINK_SALT, compress=True)


def acknowledgement_url(notification: Notification, *, now=None) -> str:
    from django.urls import reverse

    token = acknowledgement_token(notification, now=now)
    return settings.SITE_URL + reverse("core:acknowledge_link", kwargs={"token": token})


class LinkInvalid(Exception):
    """Not a link this server signed (or a notice that no longer exists)."""


class LinkExpired(Exception):
    pass


def notification_from_token(token: str, *, now=None) -> Notification:
    """The notice the link names; LinkInvalid or LinkExpired otherwise."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature as error:
        raise LinkInvalid from error
    now = now or timezone.now()
    if now.timestamp() > payload["e"]:
        raise LinkExpired
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=payload["n"], recipient_id=payload["u"], requires_acknowledgement=True)
        .first()
    )
    if notification is None or not notification.recipient.is_active:
        raise LinkInvalid
    return notification
