"""Getters of the weekly reports, through the kernel (core/access.py); refusals logged."""

from __future__ import annotations

from xinqiao.core.access import get_or_refuse
from xinqiao.crisis.models import WeeklyReport, WorriedItem
from xinqiao.people.selectors import led_grade_ids


def get_report_or_refuse(request, pk: int, perm: str = "crisis.view_weekly_report"):
    queryset = WeeklyReport.objects.select_related(
        "school_class__grade", "dormitory", "semester", "reporter"
    )
    return get_or_refuse(request, queryset, pk, perm)


def get_report_to_forward(request, pk: int) -> WeeklyReport:
    """A report of a class of the grade the user leads; any other is "not found" (recorded)."""
    queryset = WeeklyReport.objects.filter(
        school_class__grade_id__in=led_grade_ids(request.user)
    ).select_related("school_class__grade", "semester")
    return get_or_refuse(request, queryset, pk, "crisis.forward_weekly_report")


def get_worry_or_refuse(request, pk: int, perm: str = "crisis.view_worry") -> WorriedItem:
    queryset = WorriedItem.objects.select_related(
        "report__school_class__grade",
        "report__dormitory",
        "student__school_class__grade",
        "added_by",
        "reviewed_by",
        "alert",
    )
    return get_or_refuse(request, queryset, pk, perm)
