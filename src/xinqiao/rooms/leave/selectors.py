"""Reads of leave requests: the director sees the school's, anyone else their own."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from xinqiao.core.access import NOTHING
from xinqiao.core.roles import Role
from xinqiao.rooms.models import LeaveRequest
from xinqiao.rooms.selectors import schools_where, signed_in


def leave_visibility_q(user) -> Q:
    """The director sees the school's requests; anyone else their own."""
    if not signed_in(user):
        return NOTHING
    return Q(shift__school_id__in=schools_where(user, {Role.DIRECTOR})) | Q(requester_id=user.pk)


def leave_requests_for_user(user) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(leave_visibility_q(user))


def get_leave_for_user(user, pk: int) -> LeaveRequest:
    try:
        return (
            leave_requests_for_user(user)
            .select_related("shift__room", "shift__user", "requester", "decided_by", "substitute")
            .get(pk=pk)
        )
    except LeaveRequest.DoesNotExist:
        raise Http404 from None


def own_leave_requests(user) -> QuerySet[LeaveRequest]:
    if not signed_in(user):
        return LeaveRequest.objects.none()
    return (
        LeaveRequest.objects.filter(requester=user)
        .select_related("shift__room", "substitute")
        .order_by("-requested_at")
    )
