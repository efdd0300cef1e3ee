"""Pages of the network's weekly reports (班级心理晴雨表, seed 002): the reporter's phone form,
the reports each level of the network sees, the school's weekly summary and the worried-about
classmates the counseling room reviews or turns into alerts.

Objects come through the getters of crisis/access_reports.py; what each person may read is
decided in crisis/rules_reports.py. Reads of the why (and of a report's events by staff) are
written to the access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.decorators import permission_required
from xinqiao.core.forms import add_service_errors
from xinqiao.core.params import query_id
from xinqiao.crisis import services_reports as services
from xinqiao.crisis.access_reports import (
    get_report_or_refuse,
    get_report_to_forward,
    get_reporter_unit,
    get_worry_or_refuse,
    read_report,
    read_why,
)
from xinqiao.crisis.forms_reports import ForwardForm, WeeklyReportForm, WorryAlertForm
from xinqiao.crisis.models import WeeklyReport, WorriedItem
from xinqiao.crisis.models.reports import reporter_units_q
from xinqiao.crisis.selectors_reports import (
    TeachingWeek,
    reporter_units,
    summary_schools,
    unit_students,
    week_of,
    week_summary,
)


# --- the reporter ---------------------------------------------------------------------------------
@permission_required("crisis.write_weekly_report")
def report_mine(request):
    """This week's report of each of the reporter's units, and the reports they sent before."""
    user = request.user
    sent = (
        WeeklyReport.objects.for_user(user)
        .filter(reporter_units_q(user) | Q(reporter_id=user.pk))
        .select_related("school_class__grade", "dormitory", "reporter")
    )
    page = Paginator(sent.order_by("-submitted_at"), 20).get_page(request.GET.get("page"))
    return render(
        request, "crisis/reports/mine.html", {"units": reporter_units(user), "page": page}
    )


@login_required
def report_write(request, kind: str, unit_id: int):
    """Send (or, until the week ends, change) this week's report of one's class or dormitory."""
    unit = get_reporter_unit(request, kind, unit_id)
    if unit.week is None:
        messages.info(request, _("There is no teaching week now: reports are sent during term."))
        return redirect("crisis:report_mine")
    report = unit.report
    initial = {"mood": report.mood, "events": report.events} if report else {}
    form = WeeklyReportForm(
        request.POST or None, initial=initial, students=unit_students(kind, unit.unit)
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_submit(
                actor=request.user,
                kind=kind,
                unit=unit.unit,
                mood=form.cleaned_data["mood"],
                events=form.cleaned_data["events"],
                worries=form.cleaned_data["worries"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the weekly report is sent."))
            return redirect("crisis:report_detail", pk=report.pk)
    mine = []
    if report is not None:
        mine = WorriedItem.objects.for_user(request.user).filter(report=report)
    return render(
        request,
        "crisis/reports/write.html",
        {"unit": unit, "form": form, "report": report, "my_worries": mine},
        status=400 if form.errors else 200,
    )


# --- one report -----------------------------------------------------------------------------------
def _still_open(report: WeeklyReport) -> bool:
    week = TeachingWeek(report.semester, report.week)
    return timezone.localdate() <= week.sunday


@login_required
def report_detail(request, pk: int, forward_form=None, status: int = 200):
    report = get_report_or_refuse(request, pk)
    user = request.user
    worries = read_report(request, report)
    counseling = user.has_perm("crisis.handle_worry", report)
    forwards = list(report.forwards.select_related("forwarded_by"))
    if not counseling:
        forwards = [f for f in forwards if f.forwarded_by_id == user.pk]
    may_forward = user.has_perm("crisis.forward_weekly_report", report)
    return render(
        request,
        "crisis/reports/detail.html",
        {
            "report": report,
            "may_see_worries": worries is not None,
            "worries": worries or [],
            "worry_count": report.worries.count(),
            "may_edit": user.has_perm("crisis.edit_weekly_report", report) and _still_open(report),
            "may_forward": may_forward and not any(f.forwarded_by_id == user.pk for f in forwards),
            "forwards": forwards,
            "forward_form": forward_form or ForwardForm(),
        },
        status=status,
    )


@login_required
@require_POST
def report_forward(request, pk: int):
    report = get_report_to_forward(request, pk)
    form = ForwardForm(request.POST)
    if form.is_valid():
        try:
            services.report_forward(
                actor=request.user, report=report, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report is forwarded to the counseling room."))
            return redirect("crisis:report_detail", pk=report.pk)
    return report_detail(request, pk, forward_form=form, status=400)


# --- lists ----------------------------------------------------------------------------------------
@permission_required("crisis.view_weekly_report_list")
def report_list(request):
    """The reports the person's level of the network sees, by week and kind."""
    reports = WeeklyReport.objects.for_user(request.user).select_related(
        "school_class__grade", "dormitory", "reporter", "semester"
    )
    week = query_id(request, "week")
    if week:
        reports = reports.filter(semester__is_current=True, week=week)
    kind = request.GET.get("kind", "")
    if kind in WeeklyReport.Kind.values:
        reports = reports.filter(kind=kind)
    reports = reports.annotate(worry_count=Count("worries"))
    ordered = reports.order_by("-semester__starts_on", "-week", "kind", "pk")
    page = Paginator(ordered, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "crisis/reports/list.html",
        {"page": page, "week": week or "", "kind": kind, "kinds": WeeklyReport.Kind.choices},
    )


@permission_required("crisis.view_weekly_summary")
def report_summary(request):
    """The school level's weekly summary: per class and dormitory, sent or missing, the mood and
    the number of worried-about classmates (leadership sees the figures, never a report)."""
    schools = list(summary_schools(request.user).order_by("name"))
    wanted = query_id(request, "school")
    school = next((s for s in schools if s.pk == wanted), schools[0] if schools else None)
    semester = school.current_semester if school else None
    week = week_of(semester)
    number = query_id(request, "week")
    if semester is not None and number and number <= semester.week_count:
        week = TeachingWeek(semester, number)
    elif week is None and semester is not None:
        week = TeachingWeek(semester, 1)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    rows = week_summary(school, week, kind=kind, status=status) if week else []
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "crisis/reports/summary.html",
        {
            "schools": schools,
            "school": school,
            "week": week,
            "weeks": range(1, semester.week_count + 1) if semester else [],
            "kind": kind,
            "status": status,
            "kinds": WeeklyReport.Kind.choices,
            "page": page,
            "submitted": sum(1 for row in rows if row.submitted),
            "missing": sum(1 for row in rows if not row.submitted),
            "worries": sum(row.worries for row in rows),
            "may_open": request.user.has_perm("crisis.open_summary_reports", school),
        },
    )


# --- worried-about classmates ---------------------------------------------------------------------
@permission_required("crisis.view_worry_list")
def worried_list(request):
    """The counseling room's queue (still to review first); a class teacher's named students."""
    items = WorriedItem.objects.for_user(request.user).select_related(
        "student__school_class__grade", "report__school_class__grade", "report__dormitory"
    )
    state = request.GET.get("state", "open")
    if state == "open":
        items = items.filter(reviewed_at__isnull=True)
    elif state == "reviewed":
        items = items.filter(reviewed_at__isnull=False)
    page = Paginator(items.order_by("-added_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "crisis/reports/worried_list.html", {"page": page, "state": state})


@login_required
def worried_detail(request, pk: int, alert_form=None, status: int = 200):
    item = get_worry_or_refuse(request, pk)
    may_read_why = read_why(request, item)
    return render(
        request,
        "crisis/reports/worried_detail.html",
        {
            "item": item,
            "report": item.report,
            "may_read_why": may_read_why,
            "may_handle": request.user.has_perm("crisis.handle_worry", item),
            "alert_form": alert_form or WorryAlertForm(),
        },
        status=status,
    )


@login_required
@require_POST
def worried_alert(request, pk: int):
    """Turn the worried-about classmate into an alert at the chosen level, in one action."""
    item = get_worry_or_refuse(request, pk, "crisis.handle_worry")
    form = WorryAlertForm(request.POST)
    if not form.is_valid():
        return worried_detail(request, pk, alert_form=form, status=400)
    alert = services.worry_to_alert(
        actor=request.user, item=item, risk_level=form.cleaned_data["risk_level"]
    )
    messages.success(request, _("The alert is raised."))
    return redirect("crisis:alert_detail", pk=alert.pk)


@login_required
@require_POST
def worried_review(request, pk: int):
    item = get_worry_or_refuse(request, pk, "crisis.handle_worry")
    services.worry_review(actor=request.user, item=item)
    messages.success(request, _("Marked as read: follow it up in your own way."))
    return redirect("crisis:worried_detail", pk=item.pk)
