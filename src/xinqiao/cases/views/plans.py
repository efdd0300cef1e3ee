"""The support plan and its measures (seed 003 方案 → 实施): drafting and approving the plan, a
measure's status, and the measures asked of the people responsible for them (what to do and for
whom, never why)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.cases import forms, services_plans
from xinqiao.cases.access import (
    get_case_or_refuse,
    get_measure,
    get_my_measure,
    get_plan,
    measures_asked_of,
    record_read,
)
from xinqiao.cases.models import (
    Conference,
    SupportPlan,
)
from xinqiao.core.decorators import permission_required
from xinqiao.core.views.common import form_page, run_step


@login_required
def plan_edit(request, pk: int):
    case = get_case_or_refuse(request, pk, "cases.draft_plan")
    staff = services_plans.conference_candidates(case)
    draft = case.plans.filter(state=SupportPlan.State.DRAFT).first()
    base = draft or case.plans.filter(state=SupportPlan.State.APPROVED).first()
    plan_initial, measure_initial = {}, []
    if base is not None:
        plan_initial = {"goals": base.goals, "review_every_weeks": base.review_every_weeks}
        measure_initial = [
            {
                "kind": m.kind,
                "description": m.description,
                "responsible": m.responsible_id,
                "responsible_name": m.responsible_name,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
            }
            for m in base.measures.all()
        ]
    else:
        measure_initial = [{"starts_on": timezone.localdate()}]
    revising = case.plans.filter(state=SupportPlan.State.APPROVED).exists()
    plan_form = forms.PlanForm(request.POST or None, initial=plan_initial)
    if not revising:
        del plan_form.fields["change_reason"]
    measures = forms.MeasureFormSet(
        request.POST or None,
        initial=measure_initial,
        form_kwargs={"staff": staff},
        prefix="measures",
    )
    if request.method == "POST" and plan_form.is_valid() and measures.is_valid():
        data = plan_form.cleaned_data
        try:
            services_plans.plan_draft(
                actor=request.user,
                case=case,
                goals=data["goals"],
                review_every_weeks=data["review_every_weeks"],
                change_reason=data.get("change_reason", ""),
                measures=[f.measure_fields() for f in measures if f.has_changed()],
                conference=case.conferences.filter(state=Conference.State.HELD).first(),
            )
        except ValidationError as error:
            plan_form.add_error(None, error)
        else:
            messages.success(request, _("The plan is saved as a draft for the director."))
            return redirect("cases:case_detail", pk=case.pk)
    record_read(request, case)
    return render(
        request,
        "cases/plan_form.html",
        {"case": case, "form": plan_form, "measures": measures, "revising": revising},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def plan_approve(request, pk: int):
    plan = get_plan(request, pk, "cases.approve_plan")
    case = plan.case
    run_step(
        request,
        lambda: services_plans.plan_approve(actor=request.user, plan=plan),
        _("The plan is approved."),
    )
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def measure_status(request, pk: int):
    measure = get_measure(request, pk, "cases.write_records")
    case = measure.plan.case
    status = request.POST.get("status", "")
    run_step(
        request,
        lambda: services_plans.measure_set_status(
            actor=request.user, measure=measure, status=status
        ),
    )
    return redirect("cases:case_detail", pk=case.pk)


@permission_required("cases.view_own_tasks")
def my_tasks(request):
    """Measures asked of me: what to do and for whom, never why (DESIGN.md principle 1)."""
    measures = (
        measures_asked_of(request.user)
        .select_related("plan__case__student__school_class__grade")
        .prefetch_related("activities")
        .order_by("starts_on")
    )
    page = Paginator(measures, 30).get_page(request.GET.get("page"))
    return render(request, "cases/my_tasks.html", {"page": page})


@login_required
def measure_log(request, pk: int):
    measure = get_my_measure(request, pk)
    form = forms.MeasureActivityForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services_plans.measure_log_activity(
                actor=request.user, measure=measure, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Logged."))
            return redirect("cases:my_tasks")
    return form_page(
        request,
        "cases/form_page.html",
        {
            "form": form,
            "title": _("Log a step of: %s") % measure.get_kind_display(),
            "testid": "measure-log-form",
        },
        form,
    )
