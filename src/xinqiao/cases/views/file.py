"""The student file (一人一档) and the archive catalogue (档案目录).

Seed 001 wants one file per student and a catalogue that finds any file at once; seed 000 says
consultation forms are not lent or copied (咨询用表不可外借、复印): printing is watermarked with the
reader's name and the time, exporting is the director's alone, and every read, print and export
is written to the access log. A refused attempt is logged by ``get_or_refuse``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from xinqiao.cases import retention, services_records, student_file_export
from xinqiao.cases import selectors_file as selectors
from xinqiao.cases.access import (
    get_case_or_refuse,
    get_student_for_file,
    read_grounds,
    record_read,
)
from xinqiao.cases.models import CaseCounselor, Severity
from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import DOCX_CONTENT_TYPE, download, export_mark, watermark_text
from xinqiao.core.params import query_id
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.crisis.models import EmergencyAccess
from xinqiao.people.models import Semester, Student

ARCHIVE_PAGE_SIZE = 30


# --- the student file ---------------------------------------------------------------------------
def _record(request, student: Student, action: str) -> str:
    """The read (print, export) in the access log, with its basis (and grant); the basis."""
    basis, grant_id = read_grounds(request.user, student, "counselor of a case of the student")
    record_read(request, student, action=action, basis=basis, grant_id=grant_id)
    return basis


def _file_context(request, student: Student, *, record_texts: bool = True) -> dict:
    student_file = selectors.student_file_for_user(request.user, student, record_texts=record_texts)
    return {
        "file": student_file,
        "student": student,
        "may_print": request.user.has_perm("cases.print_student_file", student),
        "may_export": request.user.has_perm("cases.export_student_file", student),
    }


@login_required
def student_file(request, student_pk: int):
    student = get_student_for_file(request, student_pk, "cases.view_student_file")
    # The texts of session records load per case when opened (case_records): a long file
    # opens at once, and each opening is its own line in the access log.
    context = _file_context(request, student, record_texts=False)
    basis = _record(request, student, "read")
    if basis.startswith(EmergencyAccess.BASIS_PREFIX):
        context["emergency"] = EmergencyAccess.in_force_for(request.user, student.pk)
    return render(request, "cases/file_student.html", context)


@login_required
def case_records(request, pk: int):
    """The session records of one case, for the student file (an htmx fragment)."""
    case = get_case_or_refuse(request, pk, "cases.view_case_records")
    record_read(request, case)
    records = selectors.records_of_cases().filter(case=case)
    return render(request, "cases/file_records.html", {"records": records})


@login_required
def student_file_print(request, student_pk: int):
    """The printable file, watermarked on every page with who printed it and when."""
    student = get_student_for_file(request, student_pk, "cases.print_student_file")
    context = _file_context(request, student)
    context["watermark"] = watermark_text(request.user)
    context["watermark_rows"] = range(12)
    context["watermark_columns"] = range(4)
    _record(request, student, "print")
    return render(request, "cases/file_print.html", context)


@login_required
def student_file_export_view(request, student_pk: int):
    """The file as a Word document: the director's alone (seed 000 不可外借、复印), logged."""
    student = get_student_for_file(request, student_pk, "cases.export_student_file")
    student_file = selectors.student_file_for_user(request.user, student)
    content = student_file_export.student_file_document(
        student_file,
        watermark=export_mark(request.user),
    )
    _record(request, student, "export")
    filename = _("Student file-%(name)s-%(number)s.docx") % {
        "name": student.name,
        "number": student.student_number,
    }
    return download(content, content_type=DOCX_CONTENT_TYPE, filename=filename)


# --- the archive catalogue ----------------------------------------------------------------------
def _openable_student_ids(user, cases) -> set[int]:
    """Students whose file the reader may open from the catalogue (the links only; the file
    page asks ``cases.view_student_file`` itself). Mirrors the rule for a whole page at once:
    the director's schools, and students of whom the reader holds a case."""
    directed = user.school_ids_with(Role.DIRECTOR)
    ids = {case.student_id for case in cases if case.school_id in directed}
    counseled = user.school_ids_with(Role.COUNSELOR)
    others = [
        case.student_id
        for case in cases
        if case.school_id not in directed and case.school_id in counseled
    ]
    if others:
        held = CaseCounselor.objects.filter(user_id=user.pk, case__student_id__in=others)
        ids |= set(held.values_list("case__student_id", flat=True))
    return ids


@permission_required("cases.view_archive")
def archive_catalogue(request):
    user = request.user
    school_ids = sorted(user.school_ids_with(*COUNSELING_ROLES))
    may_manage = user.has_perm("cases.archive_semester")
    may_review_retention = user.has_perm("cases.review_retention")
    filters = {
        "q": request.GET.get("q", "").strip()[:60],
        "semester": str(query_id(request, "semester") or ""),
        "severity": request.GET.get("severity", ""),
        "past": "1" if (may_review_retention and request.GET.get("past") == "1") else "",
    }
    cases = selectors.archived_cases(school_ids)
    cases = selectors.search_archive(cases, filters["q"], school_ids=school_ids)
    cases = selectors.filter_archive(
        cases,
        semester=filters["semester"],
        severity=filters["severity"],
        past_retention=bool(filters["past"]),
        school_ids=school_ids,
    )
    page = Paginator(cases, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    retention.mark_kept_until(rows)
    openable = _openable_student_ids(user, rows)
    for case in rows:
        case.may_open_file = case.student_id in openable
    return render(
        request,
        "cases/archive_catalogue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "semesters": selectors.semesters_of(school_ids),
            "severities": [("brief", _("brief contact")), *Severity.choices],
            "several_schools": len(school_ids) > 1,
            "may_manage": may_manage,
            "may_review_retention": may_review_retention,
            "today": timezone.localdate(),
        },
    )


class ArchiveSemesterForm(forms.Form):
    semester = forms.ModelChoiceField(
        label=gettext_lazy("Semester"),
        queryset=Semester.objects.none(),
        error_messages={"required": gettext_lazy("Choose the semester to archive.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = sorted(user.school_ids_with(Role.DIRECTOR))
        field = self.fields["semester"]
        field.queryset = selectors.semesters_of(schools)
        if len(schools) > 1:
            field.label_from_instance = lambda s: f"{s.school.name} · {s.label}"
        else:
            field.label_from_instance = lambda s: s.label


@permission_required("cases.archive_semester")
def archive_semester(request):
    """GET: choose a semester and see how many closed cases it will archive; POST: archive."""
    user = request.user
    status = 200
    if request.method == "POST":
        form = ArchiveSemesterForm(request.POST, user=user)
        if form.is_valid():
            semester = form.cleaned_data["semester"]
            try:
                archived = services_records.archive_semester(actor=user, semester=semester)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d case is archived.",
                        "%(count)d cases are archived.",
                        len(archived),
                    )
                    % {"count": len(archived)},
                )
                return redirect(f"{reverse('cases:archive')}?semester={semester.pk}")
        status = 400
    elif "semester" in request.GET:
        form = ArchiveSemesterForm(request.GET, user=user)
        status = 200 if form.is_valid() else 400
    else:
        current = selectors.semesters_of(sorted(user.school_ids_with(Role.DIRECTOR))).filter(
            is_current=True
        )
        form = ArchiveSemesterForm(
            user=user, initial={"semester": current.values_list("pk", flat=True).first()}
        )
    semester = form.cleaned_data.get("semester") if form.is_bound and form.is_valid() else None
    pending = selectors.cases_to_archive(semester) if semester is not None else None
    return render(
        request,
        "cases/archive_semester.html",
        {
            "form": form,
            "semester": semester,
            "pending_count": pending.count() if pending is not None else None,
            "pending": pending[:50] if pending is not None else [],
        },
        status=status,
    )
