"""Reads of leave requests: one's own (who sees which request: ``LeaveRequest.visibility_q``)."""

from __future__ import annotations

from django.db.models import QuerySet

from xinqiao.rooms.models import LeaveRequest
from xinqiao.rooms.selectors import signed_in


def own_leave_requests(user) -> QuerySet[LeaveRequest]:
    if not signed_in(user):
        return LeaveRequest.objects.none()
    return (
        LeaveRequest.objects.filter(requester=user)
        .select_related("shift__room", "substitute")
        .order_by("-requested_at")
    )
