"""Getters of the weekly reports, through the kernel (core/access.py); refusals logged."""

from __future__ import annotations

from django.http import Http404

from xinqiao.core.access import NOT_FOUND, get_or_refuse, record_read, record_refusal
from xinqiao.crisis.models import WeeklyReport, WorriedItem
from xinqiao.crisis.selectors_reports import ReporterUnit, reporter_units
from xinqiao.people.models import Dormitory, SchoolClass
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


def get_reporter_unit(request, kind: str, unit_id: int) -> ReporterUnit:
    """A unit whose reporter's post the user holds; anything else is "not found", recorded."""
    for unit in reporter_units(request.user):
        if unit.kind == kind and unit.unit_id == unit_id:
            return unit
    model = SchoolClass if kind == WeeklyReport.Kind.CLASS else Dormitory
    record_refusal(request, model, unit_id, "crisis.write_weekly_report")
    raise Http404(NOT_FOUND)


def read_report(request, report: WeeklyReport) -> list[WorriedItem] | None:
    """What the reader may see of a report's worried-about classmates: the items (each with
    ``may_read_why``), or None where only their number is theirs to know (the grade leader,
    student affairs). Reads of the why, and staff reads of the events, go to the access log."""
    user = request.user
    if report.events and not (
        user.has_perm("crisis.edit_weekly_report", report) or report.reporter_id == user.pk
    ):
        record_read(request, report, basis="network chain: weekly report events")
    if not user.has_perm("crisis.view_report_worries", report):
        return None
    items = list(
        WorriedItem.objects.for_user(user)
        .filter(report=report)
        .select_related("student", "alert")
        .order_by("pk")
    )
    for item in items:
        item.may_read_why = read_why(request, item)
    return items


def read_why(request, item: WorriedItem) -> bool:
    """Whether the reader may read why the classmate is worried; a reader other than its
    writer is recorded."""
    allowed = request.user.has_perm("crisis.read_worry_why", item)
    if allowed and item.added_by_id != request.user.pk:
        record_read(request, item, basis="counseling staff: weekly report worry")
    return allowed
