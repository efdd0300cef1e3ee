"""The crisis app's getter: an alert, through the kernel (core/access.py); refusals logged."""

from __future__ import annotations

from xinqiao.core.access import get_or_refuse
from xinqiao.crisis.models import Alert


def get_alert_or_refuse(request, pk: int, perm: str = "crisis.view_alert") -> Alert:
    queryset = Alert.objects.select_related("student__school_class__grade", "raised_by", "school")
    return get_or_refuse(request, queryset, pk, perm)
