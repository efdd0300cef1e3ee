"""The crisis app's getters, through the kernel (core/access.py); refusals logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from xinqiao.core.access import get_or_refuse, record_refusal
from xinqiao.core.roles import Role
from xinqiao.crisis.models import Alert, CrisisRecord, EmergencyAccess, FollowUp
from xinqiao.people.models import Student


def get_alert_or_refuse(request, pk: int, perm: str = "crisis.view_alert") -> Alert:
    queryset = Alert.objects.select_related("student__school_class__grade", "raised_by", "school")
    return get_or_refuse(request, queryset, pk, perm)


def get_record_of_alert(request, alert_pk: int) -> tuple[Alert, CrisisRecord | None]:
    """An alert the user handles, with its crisis record if one is open (404 for the others)."""
    alert = get_alert_or_refuse(request, alert_pk, "crisis.change_alert")
    record = (
        CrisisRecord.objects.for_user(request.user)
        .filter(alert=alert)
        .prefetch_related("follow_ups", "guardian_contacts__contacted_by")
        .select_related("safety_plan", "opened_by", "closed_by")
        .first()
    )
    return alert, record


def get_follow_up(request, record: CrisisRecord, pk: int) -> FollowUp:
    return get_or_refuse(request, FollowUp.objects.filter(record=record), pk)


def get_emergency_access(request, pk: int, perm: str) -> EmergencyAccess:
    queryset = EmergencyAccess.objects.select_related("student__school_class", "user")
    return get_or_refuse(request, queryset, pk, perm)


def student_for_emergency(request, student_number: str) -> Student | None:
    """The student with this number at a school where the user may open a file in an
    emergency (a counselor's or the principal's); None when there is none. Asking for a
    student one may not reach is a refusal in the access log."""
    user = request.user
    schools = user.school_ids_with(Role.COUNSELOR, Role.PRINCIPAL)
    if not schools:
        record_refusal(request, Student, student_number, "crisis.open_emergency_access")
        raise PermissionDenied
    return (
        Student.objects.for_user(user)
        .filter(school_id__in=schools, student_number=student_number)
        .select_related("school")
        .first()
    )
