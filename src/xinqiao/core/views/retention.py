"""The director's yearly review of records past their retention period (core/retention.py):
the periods, what is past them by type, and deletion or anonymisation on confirmation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqiao.core import directory, retention
from xinqiao.core.access import NOT_FOUND
from xinqiao.core.access_log import record_access
from xinqiao.core.decorators import permission_required
from xinqiao.core.models import RetentionRun
from xinqiao.core.params import parse_id
from xinqiao.core.roles import Role

REVIEW_PAGE_SIZE = 50
RUNS_PAGE_SIZE = 20


def _school_id(request) -> int:
    """The directed school the page is about (``school`` in the query or the form); another
    school is "not found"."""
    directed = sorted(request.user.school_ids_with(Role.DIRECTOR))
    chosen = parse_id(request.GET.get("school") or request.POST.get("school"))
    if chosen is None and directed:
        return directed[0]
    if chosen not in directed:
        raise Http404(NOT_FOUND)
    return chosen


def _school_url(name: str, school_id: int, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?school={school_id}"


class PeriodsForm(forms.Form):
    """One number of years per record type, at least the type's minimum."""

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = {}
        for kind, years in retention.periods(school_id):
            self.current[kind.key] = years
            self.fields[kind.key] = forms.IntegerField(
                label=kind.label,
                min_value=kind.minimum_years,
                max_value=retention.MAXIMUM_YEARS,
                initial=years,
                help_text=_("At least %(years)s years.") % {"years": kind.minimum_years},
            )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason for the decision.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have reviewed the list and confirm that these records go."),
        error_messages={"required": gettext_lazy("Tick the confirmation to go on.")},
    )


def _review_context(request, school_id: int, periods_form: PeriodsForm) -> dict:
    schools = {
        a.school_id: str(a.school)
        for a in directory.roles().assignments(request.user)
        if a.role == Role.DIRECTOR and a.school_id is not None
    }
    runs = RetentionRun.objects.for_user(request.user).filter(school_id=school_id)
    labels = {kind.key: kind.label for kind in retention.record_types()}
    page = Paginator(runs, RUNS_PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page:
        run.type_label = labels.get(run.record_type, run.record_type)
    groups = retention.review(school_id)
    return {
        "school_id": school_id,
        "schools": sorted(schools.items()) if len(schools) > 1 else [],
        "groups": groups,
        "periods_form": periods_form,
        "page": page,
        "due": retention.review_due(school_id, groups=groups),
    }


@permission_required("core.review_retention")
def retention_review(request):
    school_id = _school_id(request)
    form = PeriodsForm(school_id=school_id)
    return render(request, "core/retention.html", _review_context(request, school_id, form))


@permission_required("core.review_retention")
def retention_periods(request):
    """POST: the school's periods; a value out of range keeps what was typed (400)."""
    if request.method != "POST":
        return redirect(_school_url("core:retention", _school_id(request)))
    school_id = _school_id(request)
    form = PeriodsForm(request.POST, school_id=school_id)
    if form.is_valid():
        for key, years in form.cleaned_data.items():
            if years != form.current[key]:
                retention.retention_policy_set(
                    actor=request.user, school_id=school_id, key=key, years=years
                )
        messages.success(request, _("The retention periods are saved."))
        return redirect(_school_url("core:retention", school_id))
    context = _review_context(request, school_id, form)
    return render(request, "core/retention.html", context, status=400)


@permission_required("core.review_retention")
def retention_type(request, key: str):
    """The records of one type past their period (who and when, never what), and the
    director's decision on them."""
    school_id = _school_id(request)
    try:
        kind = retention.record_type(key)
    except ValidationError:
        raise Http404(NOT_FOUND) from None
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = retention.retention_apply(
                actor=request.user,
                school_id=school_id,
                key=key,
                reason=form.cleaned_data["reason"],
                confirmed=form.cleaned_data["confirm"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(count)s records (%(label)s) were %(action)s.")
                % {"count": run.count, "label": kind.label, "action": run.get_action_display()},
            )
            return redirect(_school_url("core:retention", school_id))
    years = retention.years_for(school_id, key)
    past = retention.past_records(school_id, key)
    page = Paginator(past.order_by("pk").values_list("pk", flat=True), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = kind.rows(past.model._default_manager.filter(pk__in=list(page)), years)
    # The list names students who had counseling records: its reading is recorded.
    record_access(
        actor=request.user,
        action="read",
        object_type="retention review",
        object_id=key,
        school_id=school_id,
        basis="director of the school",
        request=request,
    )
    return render(
        request,
        "core/retention_type.html",
        {
            "kind": kind,
            "years": years,
            "rows": rows,
            "page": page,
            "form": form,
            "school_id": school_id,
        },
        status=400 if form.is_bound else 200,
    )
