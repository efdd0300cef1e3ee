"""In-app notifications (and e-mail where an address exists), sent after the transaction commits.

A notification says what happened and where to act; it never carries confidential text, because
it may be read on a shared screen or a phone's lock screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from xinqiao.core.models import Notification, User


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    school_id: int | None = None,
    email: bool = False,
) -> list[Notification]:
    """Create one notification per distinct recipient, inside the caller's transaction.

    ``title`` and ``body`` are the product's own words with dates, numbers and names of staff
    or rooms: never free text someone typed (a reason, a note, a place, a description), which
    is confidential or encrypted where it is kept; ``url`` leads to the page that shows it.

    E-mails (``email=True``) are sent by the task queue once the transaction has committed.
    """
    unique = {user.pk: user for user in recipients if user is not None}
    created = Notification.objects.bulk_create(
        Notification(
            recipient=user, title=title, body=body, url=url, level=level, school_id=school_id
        )
        for user in unique.values()
    )
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
