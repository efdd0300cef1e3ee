"""Pages of the access log and its flags (issue 16 item 2). Thin: the filters, a selector or
one service call, a response; every page of the log and every export is itself a row of it."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqiao.core.access import get_or_refuse
from xinqiao.core.access_log import record_access
from xinqiao.core.decorators import permission_required
from xinqiao.core.models import AccessLog
from xinqiao.people.models import Student
from xinqiao.privacy import export, selectors, services
from xinqiao.privacy.models import AccessFlag

HISTORY_ROWS = 10


def record_log_view(request, action: str, filters: selectors.LogFilters, *, student_id=None):
    """Reading the log is itself logged: one row per school read, with the filters (a
    director who looks up a student's reads shows in that student's history too)."""
    content = request.user.has_perm("privacy.view_access_log_content")
    who = "director of the school" if content else "supervision group, without content"
    shown = urlencode(filters.query())
    basis = f"{who}: access log{' (' + shown + ')' if shown else ''}"
    schools = (
        selectors.content_schools(request.user)
        if selectors.uses_content_filters(filters)
        else selectors.log_schools(request.user)
    )
    for school_id in sorted(schools):
        record_access(
            actor=request.user,
            action=action,
            object_type=AccessLog._meta.label,
            object_id="list",
            school_id=school_id,
            basis=basis,
            request=request,
            student_id=student_id or filters.student,
            grant_id=filters.grant,
        )


def _options(choices, chosen) -> str:
    """The person filter's options in one pass: a school's hundreds of staff rendered by the
    template engine cost a third of the page."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, " selected" if pk == chosen else "", name) for pk, name in choices),
    )


def _filters(request) -> tuple[selectors.LogFilters, bool]:
    content = request.user.has_perm("privacy.view_access_log_content")
    filters = selectors.parse_filters(request.GET)
    if not content:  # the supervision group: no filter that names a student, case or grant
        filters.student, filters.student_q, filters.case, filters.grant = None, "", "", None
    return filters, content


@permission_required("privacy.view_access_log")
def log(request):
    filters, content = _filters(request)
    page = selectors.log_page(request.user, filters)
    record_log_view(request, "read", filters)
    query = filters.query()
    return render(
        request,
        "privacy/log.html",
        {
            "page": page,
            "filters": filters,
            "content": content,
            "people_options": _options(selectors.staff_choices(request.user), filters.actor),
            "actions": AccessLog.Action.choices,
            "kinds": selectors.kind_choices(),
            "query": urlencode(query),
            "newer_query": urlencode({**query, "after": page.newer}) if page.newer else "",
            "older_query": urlencode({**query, "before": page.older}) if page.older else "",
        },
    )


@permission_required("privacy.export_access_log")
def log_export(request):
    filters, content = _filters(request)
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    watermark = _("Exported by %(name)s (%(username)s) at %(time)s · for inspection only") % {
        "name": request.user.display_name,
        "username": request.user.username,
        "time": now,
    }
    body = export.log_workbook(request.user, filters, content=content, watermark=watermark)
    record_log_view(request, "export", filters)
    response = HttpResponse(body, content_type=export.CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="access-log.xlsx"'
    return response


@login_required
def student_history(request, student_pk: int):
    """The student file's own access history, for the director (an htmx part of the file)."""
    student = get_or_refuse(request, Student, student_pk, "privacy.view_access_log_content")
    filters = selectors.LogFilters(student=student.pk)
    page = selectors.log_page(request.user, filters, size=HISTORY_ROWS)
    record_log_view(request, "read", filters)
    return render(
        request,
        "privacy/student_history.html",
        {"page": page, "student": student, "query": urlencode(filters.query())},
    )


# --- flags ------------------------------------------------------------------------------------
class ReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What you found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=gettext_lazy("Kept encrypted; only the directors of the school read it."),
    )


@permission_required("privacy.view_access_flags")
def flag_list(request):
    flags = AccessFlag.objects.for_user(request.user).select_related("reviewed_by")
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "open")
    person = request.GET.get("person", "").strip()[:150]
    if kind in AccessFlag.Kind.values:
        flags = flags.filter(kind=kind)
    if state == "open":
        flags = flags.filter(reviewed_at__isnull=True)
    elif state == "reviewed":
        flags = flags.filter(reviewed_at__isnull=False)
    if person:
        flags = flags.filter(actor_username=person)
    page = Paginator(flags.order_by("-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/flag_list.html",
        {
            "page": page,
            "kinds": AccessFlag.Kind.choices,
            "filters": {"kind": kind, "state": state, "person": person},
        },
    )


@permission_required("privacy.view_access_flags")
def flag_detail(request, pk: int):
    flag = get_or_refuse(request, AccessFlag, pk, "privacy.view_access_flags")
    form = ReviewForm()
    status = 200
    if request.method == "POST":
        flag = get_or_refuse(request, AccessFlag, pk, "privacy.review_access_flag")
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.flag_review(actor=request.user, flag=flag, note=form.cleaned_data["note"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The flag is marked reviewed."))
                return redirect("privacy:flag_detail", pk=flag.pk)
        status = 400
    if flag.reviewed_at is not None:
        record_access(
            actor=request.user,
            action="read",
            obj=flag,
            basis="director of the school: review note",
            request=request,
        )
    day = timezone.localdate(flag.started_at)
    last = timezone.localdate(flag.ended_at)
    rows_query = urlencode(
        {"actor": flag.actor_id or "", "start": day.isoformat(), "end": last.isoformat()}
    )
    return render(
        request,
        "privacy/flag_detail.html",
        {"flag": flag, "form": form, "rows_query": rows_query},
        status=status,
    )
