"""One case and the list of cases: the case page, a brief answer, the needs assessment, the
counselors, and the school's classification list (seed 003 评估). Every page reaching case
material goes through ``get_case_or_refuse`` and writes its read to the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.cases import forms, retention, services_intake
from xinqiao.cases.access import case_queryset, get_case_or_refuse, get_category, record_read
from xinqiao.cases.case_sections import case_sections
from xinqiao.cases.models import (
    Case,
    PlanMeasure,
    ProblemCategory,
    Referral,
    Severity,
    SupportPlan,
)
from xinqiao.core.decorators import permission_required
from xinqiao.core.views.common import form_page
from xinqiao.people.models import School
from xinqiao.people.selectors import school_of


@permission_required("cases.view_case_list")
def case_list(request):
    cases = Case.objects.for_user(request.user).select_related("student__school_class__grade")
    filters = {key: request.GET.get(key, "") for key in ("state", "severity", "q", "mine")}
    if filters["state"] == "open" or not filters["state"]:
        filters["state"] = filters["state"] or "open"
        cases = cases.open()
    elif filters["state"] == "awaiting_approval":
        cases = cases.awaiting_approval()
    elif filters["state"] in Case.State.values:
        cases = cases.filter(state=filters["state"])
    if filters["severity"] in Severity.values:
        cases = cases.filter(severity=filters["severity"])
    if filters["mine"]:
        cases = cases.filter(counselors__user=request.user)
    if filters["q"]:
        q = filters["q"].strip()
        cases = cases.filter(
            Q(number=q) | Q(student__student_number=q) | Q(student__name__contains=q)
        )
    page = Paginator(cases.order_by("-opened_at"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "states": Case.State.choices,
            "severities": Severity.choices,
        },
    )


def _case_page(request, pk: int, perm: str = "cases.view_case") -> Case:
    """The case with what its page shows beside the parts below: the assessment and the
    categories."""
    queryset = case_queryset().select_related("assessment").prefetch_related("categories")
    return get_case_or_refuse(request, pk, perm, queryset=queryset)


CASE_PERMISSIONS = (
    "write_records",
    "assess_case",
    "assign_counselors",
    "convene_conference",
    "draft_plan",
    "approve_plan",
    "request_closure",
    "confirm_closure",
    "archive_case",
    "refer_case",
    "record_consent",
    "mark_typical",
)


def _case_may(request, case: Case) -> dict:
    """What the reader may do on the case, asked of the counselors loaded with it."""
    return {
        "case": case,
        "may": {name: request.user.has_perm(f"cases.{name}", case) for name in CASE_PERMISSIONS},
        "working": case.state in Case.WORKING_STATES,
    }


def _case_context(request, case: Case) -> dict:
    # What the reader may read of it: all, or the parts an access grant opens (issue 16).
    parts = case.parts_read_by(request.user)
    plans = []
    if "plan" in parts:
        plans = list(
            case.plans.prefetch_related(
                Prefetch(
                    "measures",
                    queryset=PlanMeasure.objects.select_related("responsible").prefetch_related(
                        "activities"
                    ),
                )
            ).select_related("approved_by", "created_by")
        )
    evaluations = list(case.evaluations.all()) if "evaluations" in parts else []
    retention.mark_kept_until([case])
    assessment = getattr(case, "assessment", None)
    grants = case.grants_of(request.user) if not case.read_whole_by(request.user) else []
    return {
        **_case_may(request, case),
        "parts": parts,
        "grant": grants[0] if grants else None,
        "assessed": assessment is not None,
        "assessment": assessment if "assessment" in parts else None,
        # Loaded with the case for the predicates: no query of their own.
        "counselors": case.counselors.all(),
        "categories": case.categories.all(),
        "conferences": case.conferences.all() if "conferences" in parts else [],
        "plans": plans,
        "current_plan": next((p for p in plans if p.state == SupportPlan.State.APPROVED), None),
        "draft_plan": next((p for p in plans if p.state == SupportPlan.State.DRAFT), None),
        "evaluations": evaluations,
        "evaluation_chart": _evaluation_chart(evaluations),
        "brief_form": forms.BriefAnswerForm(),
        # What the apps above cases add (screening's scale results): case_sections.py.
        "extra_sections": case_sections(request=request, case=case, parts=parts),
    }


def _evaluation_chart(evaluations) -> dict | None:
    """The ratings over time, from each side (seed 003 效果评估: 学生自评、教师评价、家长反馈)."""
    if len(evaluations) < 2:
        return None
    sides = (
        ("student_rating", _("Student")),
        ("teacher_rating", _("Class teacher")),
        ("guardian_rating", _("Guardian")),
    )
    return {
        "dates": [e.evaluated_on.isoformat() for e in evaluations],
        "series": [
            {"name": str(label), "data": [getattr(e, field) for e in evaluations]}
            for field, label in sides
        ],
    }


@login_required
def case_detail(request, pk: int):
    case = _case_page(request, pk)
    record_read(request, case)
    return render(request, "cases/case_detail.html", _case_context(request, case))


def _case_part(request, case: Case, template: str, context: dict):
    """A part of the case page that loads when the reader reaches it (an htmx fragment), or
    the same part on a page of its own without scripts."""
    record_read(request, case)
    context = {**_case_may(request, case), **context, "part": template}
    if request.htmx:
        return render(request, template, context)
    return render(request, "cases/case_part_page.html", context)


@login_required
def case_records_part(request, pk: int):
    """The session records and stage summaries of the case page."""
    case = get_case_or_refuse(request, pk, "cases.view_case_records", queryset=case_queryset())
    context = {
        "records": case.records.select_related("written_by"),
        "summaries": case.summaries.select_related("written_by"),
    }
    return _case_part(request, case, "cases/case_records_part.html", context)


@login_required
def case_links_part(request, pk: int):
    """The referrals, consents and typical case of the case page."""
    queryset = (
        case_queryset()
        .select_related("typical")
        .prefetch_related(
            Prefetch(
                "referrals", queryset=Referral.objects.select_related("to_service", "to_counselor")
            ),
            "consents",
        )
    )
    case = get_case_or_refuse(request, pk, "cases.view_case_referrals", queryset=queryset)
    return _case_part(request, case, "cases/case_links_part.html", {})


@login_required
@require_POST
def case_brief(request, pk: int):
    case = _case_page(request, pk, "cases.assess_case")
    form = forms.BriefAnswerForm(request.POST)
    if form.is_valid():
        try:
            services_intake.case_answer_briefly(
                actor=request.user, case=case, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Closed as a brief contact."))
            return redirect("cases:case_detail", pk=case.pk)
    context = _case_context(request, case)
    context["brief_form"] = form
    return render(request, "cases/case_detail.html", context, status=400)


def _counselors_initial(case: Case) -> dict:
    """The case's lead and other counselors, as a counselors form starts (from the counselors
    loaded with the case)."""
    counselors = case.counselors.all()
    return {
        "lead": next((c.user_id for c in counselors if c.is_lead), None),
        "others": [c.user_id for c in counselors if not c.is_lead],
    }


@login_required
def case_assess(request, pk: int):
    queryset = case_queryset().select_related("assessment")
    case = get_case_or_refuse(request, pk, "cases.assess_case", queryset=queryset)
    assessment = getattr(case, "assessment", None)
    initial = {"lead": request.user.pk if request.user.has_role("counselor") else None}
    if assessment is not None:
        initial = {
            "severity": assessment.severity,
            "measures_needed": assessment.measures_needed,
            "notes": assessment.notes,
            "categories": list(case.categories.values_list("pk", flat=True)),
            **_counselors_initial(case),
        }
    form = forms.AssessmentForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services_intake.case_assess(
                actor=request.user,
                case=case,
                severity=data["severity"],
                categories=list(data["categories"]),
                measures_needed=data["measures_needed"],
                notes=data["notes"],
                lead=data["lead"],
                others=list(data["others"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.requires_conference:
                messages.info(request, _("This case needs a case conference before its plan."))
            else:
                messages.success(request, _("The assessment is recorded."))
            return redirect("cases:case_detail", pk=case.pk)
    record_read(request, case)
    return form_page(
        request,
        "cases/form_page.html",
        {"form": form, "case": case, "title": _("Needs assessment"), "testid": "assess-form"},
        form,
    )


@login_required
def case_counselors(request, pk: int):
    case = get_case_or_refuse(request, pk, "cases.assign_counselors")
    form = forms.CounselorsForm(
        request.POST or None,
        case=case,
        initial=_counselors_initial(case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_intake.counselors_assign(
                actor=request.user,
                case=case,
                lead=form.cleaned_data["lead"],
                others=list(form.cleaned_data["others"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The counselors are assigned."))
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(
        request,
        "cases/form_page.html",
        {"form": form, "case": case, "title": _("Counselors"), "testid": "counselors-form"},
        form,
    )


@permission_required("cases.manage_categories")
def category_list(request):
    school: School = school_of(request.user)
    services_intake.categories_ensure_defaults(school=school)
    editing = None
    if request.GET.get("edit"):
        editing = get_category(request, school, request.GET["edit"])
    initial = (
        {"name": editing.name, "order": editing.order, "is_active": editing.is_active}
        if editing
        else {}
    )
    form = forms.CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_intake.category_save(
                actor=request.user, school=school, category=editing, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:category_list")
    return render(
        request,
        "cases/category_list.html",
        {
            "categories": ProblemCategory.objects.for_user(request.user).filter(school=school),
            "form": form,
            "editing": editing,
        },
        status=400 if form.errors else 200,
    )
