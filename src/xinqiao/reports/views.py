"""Pages of the research export (issue 16 item 3): the register, the form, one export with its
progress, and the download (written to the access log by the service)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from xinqiao.core.access import get_or_refuse
from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import download
from xinqiao.core.forms import add_service_errors
from xinqiao.core.xlsx import XLSX_CONTENT_TYPE
from xinqiao.reports import research_file, services_research
from xinqiao.reports.forms import ResearchExportForm
from xinqiao.reports.models import ResearchExport

MAKE = "reports.make_research_export"
PAGE_SIZE = 20


@permission_required(MAKE)
def research_list(request):
    """The register: every export of the user's schools or district, newest first."""
    exports = ResearchExport.objects.for_user(request.user).select_related("school", "district")
    status = request.GET.get("status", "")
    if status in ResearchExport.Status.values:
        exports = exports.filter(status=status)
    year = request.GET.get("year", "")
    if year.isdigit():
        exports = exports.filter(created_at__year=int(year))
    page = Paginator(exports.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/research_list.html",
        {"page": page, "status": status, "year": year, "statuses": ResearchExport.Status.choices},
    )


@permission_required(MAKE)
@require_http_methods(["GET", "POST"])
def research_new(request):
    form = ResearchExportForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        school, district = form.scope_objects()
        data = form.cleaned_data
        try:
            export = services_research.research_export_request(
                actor=request.user,
                school=school,
                district=district,
                period_start=data["period_start"],
                period_end=data["period_end"],
                k=data["k"],
                include=data["include"],
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("reports:research_detail", export.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/research_new.html", {"form": form}, status=status)


@login_required
def research_detail(request, pk: int):
    export = get_or_refuse(request, ResearchExport, pk, "reports.view_research_export")
    template = "reports/research_progress.html" if request.htmx else "reports/research_detail.html"
    return render(request, template, {"export": export})


@login_required
def research_download(request, pk: int):
    export = get_or_refuse(request, ResearchExport, pk, "reports.download_research_export")
    try:
        content = services_research.research_export_download(
            actor=request.user, export=export, request=request
        )
    except ValidationError as error:
        return render(
            request,
            "reports/research_detail.html",
            {"export": export, "error": error.messages[0]},
            status=410,
        )
    name = export.file_name
    content_type = XLSX_CONTENT_TYPE
    if request.GET.get("format") == "csv":
        content = research_file.csv_from_workbook(content)
        name, content_type = name.removesuffix(".xlsx") + ".csv", "text/csv; charset=utf-8"
    return download(content, content_type=content_type, filename=name)
