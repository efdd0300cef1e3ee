"""Importing the roster from Excel: upload, the report or summary, confirmation, progress.

The work is in the people.roster package (checking and writing; its ``jobs`` module keeps the
uploaded file, its progress and the task queue for large files); these views only pass the
admin's choices along.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.core.xlsx import XLSX_CONTENT_TYPE
from xinqiao.people.models import School, Semester
from xinqiao.people.roster import jobs
from xinqiao.people.roster.checks import COUNT_KEYS, COUNT_LABELS
from xinqiao.people.roster.format import COLUMNS
from xinqiao.people.roster.semesters import SemesterChoice, semester_problem
from xinqiao.people.roster.template import roster_template

PERMISSION = "people.import_roster"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class RosterUploadForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), empty_label=None
    )
    school_year = forms.IntegerField(
        label=_("School year (the year it starts)"), min_value=2000, max_value=2100
    )
    term = forms.TypedChoiceField(label=_("Term"), choices=Semester.Term.choices, coerce=int)
    file = forms.FileField(label=_("Roster workbook (.xlsx)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.for_user(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in (".xlsx", ".xlsm"):
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

    def clean(self):
        data = super().clean()
        if data.get("school") and data.get("school_year") and data.get("term"):
            problem = semester_problem(data["school"], self.semester)
            if problem is not None:
                self.add_error("school_year", problem.message)
        return data

    @property
    def semester(self) -> SemesterChoice:
        return SemesterChoice(self.cleaned_data["school_year"], self.cleaned_data["term"])


def _initial(school: School | None, semester: SemesterChoice | None = None) -> dict:
    semester = semester or SemesterChoice.default_for(school)
    return {"school": school, "school_year": semester.school_year, "term": semester.term}


def _job_or_404(request, job_id) -> jobs.RosterJob:
    job = jobs.roster_job_get(user=request.user, job_id=str(job_id))
    if job is None:
        raise Http404
    return job


@permission_required(PERMISSION)
def roster_import(request):
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            job = jobs.roster_job_create(
                actor=request.user,
                school=form.cleaned_data["school"],
                semester=form.semester,
                upload=form.cleaned_data["file"],
            )
            return redirect("people:roster_import_status", job_id=job.id)
    else:
        schools = School.objects.for_user(request.user)
        chosen = query_id(request, "school")
        school = schools.filter(pk=chosen).first() if chosen else schools.first()
        form = RosterUploadForm(initial=_initial(school), user=request.user)
    return render(request, "people/roster_import.html", {"form": form})


@permission_required(PERMISSION)
def roster_template_download(request):
    response = HttpResponse(roster_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="花名册导入模板.xlsx"
    )
    return response


@permission_required(PERMISSION)
def roster_import_status(request, job_id):
    job = _job_or_404(request, job_id)
    errors = job.row_errors
    sheet = request.GET.get("sheet", "")
    if sheet in COLUMNS:
        errors = [e for e in errors if e.sheet == sheet]
    school = School.objects.for_user(request.user).filter(pk=job.school_id).first()
    context = {
        "job": job,
        "school": school,
        "semester": job.semester_choice,
        "errors": Paginator(errors, 50).get_page(request.GET.get("page")),
        "error_count": len(job.errors),
        "warnings": job.row_warnings,
        "sheets": [name for name in COLUMNS if any(e["sheet"] == name for e in job.errors)],
        "sheet": sheet,
        "counts": [(key, COUNT_LABELS[key], job.counts.get(key, 0)) for key in COUNT_KEYS],
        "form": RosterUploadForm(initial=_initial(school, job.semester_choice), user=request.user),
    }
    if request.htmx:
        return render(request, "people/roster_status_panel.html", context)
    return render(request, "people/roster_status.html", context)


@require_POST
@permission_required(PERMISSION)
def roster_import_confirm(request, job_id):
    job = _job_or_404(request, job_id)
    confirmed = request.POST.get("confirm_departures") == "yes"
    if not jobs.roster_job_confirm(actor=request.user, job=job, departures_confirmed=confirmed):
        if job.state == jobs.State.READY and job.departures and not confirmed:
            messages.error(request, _("Tick the box to confirm the departures, then import."))
        else:
            messages.warning(request, _("This import is not waiting for confirmation."))
    return redirect("people:roster_import_status", job_id=job.id)


@require_POST
@permission_required(PERMISSION)
def roster_import_cancel(request, job_id):
    job = _job_or_404(request, job_id)
    if jobs.roster_job_cancel(actor=request.user, job=job):
        messages.info(request, _("The import was cancelled and the file deleted."))
        return redirect(f"{reverse('people:roster_import')}?school={job.school_id}")
    messages.warning(request, _("This import can no longer be cancelled."))
    return redirect("people:roster_import_status", job_id=job.id)
