"""The weekly reports' API: the same getters, rules and access log as the pages
(crisis/views_reports.py). A report's reader gets its worried-about classmates only where the
pages show them, and the why only where the pages do."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from xinqiao.core.access import require
from xinqiao.core.api import JsonOrForm
from xinqiao.crisis import services_reports as services
from xinqiao.crisis.access_reports import (
    get_report_or_refuse,
    get_report_to_forward,
    get_reporter_unit,
    get_worry_or_refuse,
    read_report,
    read_why,
)
from xinqiao.crisis.models import Alert, Mood, WeeklyReport, WorriedItem
from xinqiao.crisis.selectors_reports import (
    TeachingWeek,
    summary_schools,
    unit_students,
    week_of,
    week_summary,
)

router = Router(tags=["weekly reports"])


class WorryIn(Schema):
    student_id: int
    why: str = Field(min_length=1, max_length=2000)


class ReportIn(Schema):
    mood: int = Field(ge=min(Mood.values), le=max(Mood.values))
    events: str = Field("", max_length=2000)
    worries: list[WorryIn] = []


class WorryOut(Schema):
    id: int
    student_id: int
    student_name: str
    why: str | None  # None: not the reader's to read
    reviewed: bool
    alert_id: int | None


class ReportRowOut(Schema):
    id: int
    kind: str
    unit: str
    semester_id: int
    week: int
    mood: int
    submitted_at: datetime.datetime
    worry_count: int

    @staticmethod
    def resolve_unit(report) -> str:
        return str(report.unit)


class ReportOut(Schema):
    id: int
    kind: str
    unit: str
    semester_id: int
    week: int
    mood: int
    mood_label: str
    events: str
    submitted_at: str
    worry_count: int
    worries: list[WorryOut] | None  # None: only their number is the reader's to know


class ForwardIn(Schema):
    note: str = Field(min_length=1, max_length=2000)


class AlertIn(Schema):
    risk_level: Alert.RiskLevel


class AlertRaisedOut(Schema):
    alert_id: int
    risk_level: str


class SummaryRowOut(Schema):
    kind: str
    unit_id: int
    unit: str
    group: str
    submitted: bool
    mood: int | None
    worries: int


class SummaryFilter(Schema):
    school_id: int | None = None
    week: int | None = None


class ReportFilter(Schema):
    week: int | None = None
    kind: WeeklyReport.Kind | None = None


def _worry_out(request, item: WorriedItem, may_read_why: bool | None = None) -> dict:
    if may_read_why is None:
        may_read_why = read_why(request, item)
    return {
        "id": item.pk,
        "student_id": item.student_id,
        "student_name": item.student.name,
        "why": item.why if may_read_why else None,
        "reviewed": item.reviewed_at is not None,
        "alert_id": item.alert_id,
    }


def _report_out(request, report: WeeklyReport) -> dict:
    worries = read_report(request, report)
    return {
        "id": report.pk,
        "kind": report.kind,
        "unit": str(report.unit),
        "semester_id": report.semester_id,
        "week": report.week,
        "mood": report.mood,
        "mood_label": str(report.get_mood_display()),
        "events": report.events,
        "submitted_at": report.submitted_at.isoformat(),
        "worry_count": report.worries.count(),
        "worries": None
        if worries is None
        else [_worry_out(request, item, item.may_read_why) for item in worries],
    }


@router.get(
    "", response=list[ReportRowOut], summary="Weekly reports the caller's level of the network sees"
)
@paginate
def report_list(request, filters: Query[ReportFilter]):
    """Without the events or the named classmates: open one report for those."""
    require(request.auth, "crisis.view_weekly_report_list")
    reports = WeeklyReport.objects.for_user(request.auth).select_related(
        "school_class__grade", "dormitory"
    )
    if filters.week:
        reports = reports.filter(semester__is_current=True, week=filters.week)
    if filters.kind:
        reports = reports.filter(kind=filters.kind)
    reports = reports.annotate(worry_count=Count("worries"))
    return reports.order_by("-semester__starts_on", "-week", "kind", "pk")


@router.get("/summary", response=list[SummaryRowOut], summary="The school's weekly figures")
def report_summary(request, filters: Query[SummaryFilter]):
    require(request.auth, "crisis.view_weekly_summary")
    schools = summary_schools(request.auth)
    school = schools.filter(pk=filters.school_id).first() if filters.school_id else None
    school = school or schools.order_by("name").first()
    semester = school.current_semester if school else None
    week = week_of(semester)
    if semester is not None and filters.week and filters.week <= semester.week_count:
        week = TeachingWeek(semester, filters.week)
    if week is None:
        return []  # no school, or no teaching week now
    return [
        {
            "kind": row.kind,
            "unit_id": row.unit.pk,
            "unit": str(row.unit),
            "group": row.group,
            "submitted": row.submitted,
            "mood": row.report.mood if row.report else None,
            "worries": row.worries,
        }
        for row in week_summary(school, week)
    ]


def _submit(request, kind: str, unit_id: int, payload: ReportIn) -> dict:
    unit = get_reporter_unit(request, kind, unit_id)
    students = {s.pk: s for s in unit_students(kind, unit.unit)}
    if any(w.student_id not in students for w in payload.worries):
        raise HttpError(400, _("Name only students of this class or dormitory."))
    try:
        report = services.report_submit(
            actor=request.auth,
            kind=kind,
            unit=unit.unit,
            mood=payload.mood,
            events=payload.events,
            worries=[(students[w.student_id], w.why) for w in payload.worries],
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return _report_out(request, report)


ReportBody = Annotated[ReportIn, JsonOrForm(...)]


@router.post(
    "/class/{class_id}",
    response=ReportOut,
    summary="Send (or change) this week's class report (the class's committee member)",
)
def report_submit_class(request, class_id: int, payload: ReportBody):
    return _submit(request, WeeklyReport.Kind.CLASS, class_id, payload)


@router.post(
    "/dormitory/{dormitory_id}",
    response=ReportOut,
    summary="Send (or change) this week's dormitory report (the dormitory's liaison)",
)
def report_submit_dormitory(request, dormitory_id: int, payload: ReportBody):
    return _submit(request, WeeklyReport.Kind.DORMITORY, dormitory_id, payload)


@router.post(
    "/{report_id}/forward",
    response={201: dict},
    summary="Forward a report to the counseling room (the grade leader)",
)
def report_forward(request, report_id: int, payload: Annotated[ForwardIn, JsonOrForm(...)]):
    report = get_report_to_forward(request, report_id)
    try:
        forward = services.report_forward(actor=request.auth, report=report, note=payload.note)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return Status(201, {"forward_id": forward.pk})


@router.get(
    "/worried",
    response=list[WorryOut],
    summary="Worried-about classmates still to review (counseling) or one's students (teacher)",
)
@paginate
def worried_list(request):
    """Without the why: open one item for it (the read is recorded)."""
    require(request.auth, "crisis.view_worry_list")
    items = WorriedItem.objects.for_user(request.auth).filter(reviewed_at__isnull=True)
    items = items.select_related("student").order_by("-added_at", "-pk")
    return [_worry_out(request, item, may_read_why=False) for item in items]


@router.get("/worried/{item_id}", response=WorryOut, summary="One worried-about classmate")
def worried_detail(request, item_id: int):
    return _worry_out(request, get_worry_or_refuse(request, item_id))


@router.post(
    "/worried/{item_id}/alert",
    response={201: AlertRaisedOut},
    summary="Turn a worried-about classmate into an alert (counseling staff; raised once)",
)
def worried_alert(request, item_id: int, payload: Annotated[AlertIn, JsonOrForm(...)]):
    item = get_worry_or_refuse(request, item_id, "crisis.handle_worry")
    alert = services.worry_to_alert(actor=request.auth, item=item, risk_level=payload.risk_level)
    return Status(201, {"alert_id": alert.pk, "risk_level": alert.risk_level})


# Last: "/{report_id}" would otherwise catch "/worried".
@router.get("/{report_id}", response=ReportOut, summary="One weekly report (reads recorded)")
def report_detail(request, report_id: int):
    return _report_out(request, get_report_or_refuse(request, report_id))
