"""Screening reports (issue 15 item 6): campaigns across semesters, each campaign's completion,
bands and subscale profiles, the counseling side's export, a student's and a class's trend.

The counseling side of the school reads exact counts; its leadership reads aggregates with
small counts hidden (``selectors_reports``, ``suppression``). Individual results (the export, a
student's trend) are the counseling side's alone and every read of them is recorded. Every page
says that results are flags for a follow-up interview, never diagnoses.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from xinqiao.core.access import NOT_FOUND, get_or_refuse, record_read
from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import download, export_mark, mark_workbook
from xinqiao.core.params import query_id
from xinqiao.core.roles import COUNSELING_ROLES
from xinqiao.core.xlsx import XLSX_CONTENT_TYPE, workbook_bytes
from xinqiao.people.access import get_class, get_student
from xinqiao.screening import selectors_reports as selectors
from xinqiao.screening.models import Campaign


def _campaign(request, pk: int, perm: str) -> Campaign:
    campaign = get_or_refuse(request, Campaign, pk, perm)
    if campaign.state not in selectors.REPORTED_STATES:  # a draft or a cancelled one: no report
        raise Http404(NOT_FOUND)
    return campaign


@permission_required("screening.view_reports")
def report_index(request):
    semesters = list(selectors.report_semesters(request.user))
    semester_id = query_id(request, "semester")
    semester = next((s for s in semesters if s.pk == semester_id), None)
    years = sorted({s.school_year for s in semesters}, reverse=True)
    year = request.GET.get("year", "")
    school_year = int(year) if year.isdigit() and int(year) in years else None
    campaigns = selectors.report_campaigns(
        request.user, semester=semester, school_year=None if semester else school_year
    )
    page = Paginator(campaigns, 20).get_page(request.GET.get("page"))
    counseling = request.user.has_perm("screening.view_results")
    classes = []
    if counseling:
        from xinqiao.people.models import SchoolClass

        classes = (
            SchoolClass.objects.for_user(request.user)
            .filter(school_id__in=request.user.school_ids_with(*selectors.REPORT_ROLES))
            .filter(graduated=False)
            .select_related("grade")
            .order_by("grade__level", "number")
        )
    query = request.GET.get("student", "").strip()[:50]
    students = []
    if counseling and query:
        from xinqiao.people.models import Student

        students = (
            Student.objects.for_user(request.user)
            .filter(school_id__in=request.user.school_ids_with(*COUNSELING_ROLES))
            .filter(Q(student_number=query) | Q(name__contains=query))
            .select_related("school_class__grade")
            .order_by("student_number")[:20]
        )
    return render(
        request,
        "screening/report_index.html",
        {
            "page": page,
            "semesters": semesters,
            "semester": semester,
            "years": years,
            "year": school_year,
            "counseling": counseling,
            "classes": classes,
            "student_query": query,
            "students": students,
        },
    )


@permission_required("screening.view_reports")
def campaign_report(request, pk: int):
    campaign = _campaign(request, pk, "screening.view_reports")
    full = selectors.full_counts(request.user, campaign.school_id)
    report = selectors.campaign_report(campaign, full=full)
    return render(
        request,
        "screening/report_campaign.html",
        {
            "campaign": campaign,
            "report": report,
            "full": full,
            "suppress_below": selectors.SUPPRESS_BELOW,
            "may_export": request.user.has_perm("screening.export_results", campaign),
            "charts": report.chart_data(),
        },
    )


@permission_required("screening.export_results")
def campaign_export(request, pk: int):
    campaign = _campaign(request, pk, "screening.export_results")
    header, rows = selectors.export_rows(campaign)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("screening report", "Results")[:31]
    sheet.append(
        [
            _(
                "These figures come from screening questionnaires: they are flags for a follow-up "
                "interview, never diagnoses."
            )
        ]
    )
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    mark_workbook(workbook, export_mark(request.user))
    content = workbook_bytes(workbook)
    record_read(
        request, campaign, action="export", basis="screening.export_results: counseling staff"
    )
    filename = _("Screening results-%(title)s.xlsx") % {"title": campaign.title}
    return download(content, content_type=XLSX_CONTENT_TYPE, filename=filename)


@permission_required("screening.view_results")
def student_trend(request, pk: int):
    student = get_student(request, pk, perm="screening.view_results")
    trends = selectors.student_trend(request.user, student)
    record_read(request, student, basis="screening.view_results: counseling staff")
    charts = {
        "trends": [
            {
                "name": trend.name,
                "dates": [timezone.localdate(p.when).isoformat() for p in trend.points],
                "totals": [p.total for p in trend.points],
                "min": trend.low,
                "max": trend.high,
            }
            for trend in trends
        ]
    }
    response = render(
        request,
        "screening/report_student.html",
        {"student": student, "trends": trends, "charts": charts},
    )
    response["Cache-Control"] = "no-store"
    return response


@permission_required("screening.view_reports")
def class_trend(request, pk: int):
    school_class = get_class(request, pk, perm="screening.view_reports")
    full = selectors.full_counts(request.user, school_class.school_id)
    trends = selectors.class_trend(request.user, school_class, full=full)
    charts = {
        "trends": [
            {
                "name": trend.name,
                "campaigns": [item.campaign.title for item in trend.rows],
                "bands": [
                    {"name": label, "counts": [item.row.cells[i].count for item in trend.rows]}
                    for i, (_id, label) in enumerate(trend.bands)
                ],
            }
            for trend in trends
        ]
    }
    return render(
        request,
        "screening/report_class.html",
        {
            "school_class": school_class,
            "trends": trends,
            "full": full,
            "suppress_below": selectors.SUPPRESS_BELOW,
            "charts": charts,
            "any_hidden": any(
                cell.hidden for t in trends for item in t.rows for cell in item.row.cells
            ),
        },
    )
