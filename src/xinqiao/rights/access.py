"""The rights app's getter, through the kernel (core/access.py): 404 for missing and
not-yours alike, refusals written to the access log."""

from __future__ import annotations

from xinqiao.core.access import get_or_refuse
from xinqiao.rights.models import RecordRequest


def get_request_or_refuse(request, pk: int, perm: str = "rights.view_request") -> RecordRequest:
    queryset = RecordRequest.objects.select_related(
        "student__school_class", "guardian", "decided_by", "released_by", "school"
    )
    return get_or_refuse(request, queryset, pk, perm)
