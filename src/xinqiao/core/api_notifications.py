"""The API of one's own notifications: list them, acknowledge an urgent one (issue 14)."""

import datetime

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from xinqiao.core.access import get_or_refuse
from xinqiao.core.models import Notification
from xinqiao.core.notifications import Via, notification_acknowledge


class NotificationOut(Schema):
    id: int
    level: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    requires_acknowledgement: bool
    acknowledged_at: datetime.datetime | None


class NotificationFilter(Schema):
    unread: bool = False
    awaiting_acknowledgement: bool = False


router = Router(tags=["notifications"])


@router.get("", response=list[NotificationOut], summary="My notifications")
@paginate
def notification_list(request, filters: Query[NotificationFilter]):
    notifications = Notification.objects.for_user(request.auth)
    if filters.unread:
        notifications = notifications.unread()
    if filters.awaiting_acknowledgement:
        notifications = notifications.awaiting_acknowledgement()
    return notifications


@router.post(
    "/{notification_id}/acknowledge",
    response=NotificationOut,
    summary="Acknowledge an urgent notice of mine (again: no change)",
)
def notification_acknowledge_api(request, notification_id: int):
    notification = get_or_refuse(request, Notification, notification_id, confidential=False)
    notification_acknowledge(actor=request.auth, notification=notification, via=Via.IN_APP)
    notification.refresh_from_db()
    return notification
