"""The case workflow pages: intake from every channel, assessment, conference, plan, records,
summaries, evaluations and closure (seed 003). Every page reaching case material goes through
``get_case_or_refuse`` and writes its read to the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.cases import forms, services_intake, services_plans, services_records
from xinqiao.cases.access import get_case_or_refuse, record_read
from xinqiao.cases.models import (
    Case,
    Conference,
    PlanMeasure,
    ProblemCategory,
    Severity,
    SupportPlan,
)
from xinqiao.core.access_log import record_refusal
from xinqiao.core.decorators import permission_required
from xinqiao.people.models import School, Student
from xinqiao.rooms.models import Appointment
from xinqiao.rooms.selectors_appointments import get_appointment_for_user, get_intake_for_user
from xinqiao.rooms.views.appointments import school_of


def _form_page(request, template: str, context: dict, form) -> object:
    return render(request, template, context, status=400 if form.is_bound else 200)


# --- lists and intake --------------------------------------------------------------------------
@permission_required("cases.view_case_list")
def case_list(request):
    cases = Case.objects.for_user(request.user).select_related("student__school_class__grade")
    filters = {key: request.GET.get(key, "") for key in ("state", "severity", "q", "mine")}
    if filters["state"] == "open" or not filters["state"]:
        filters["state"] = filters["state"] or "open"
        cases = cases.open()
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


@permission_required("cases.open_case")
def case_open(request):
    """A new intake; from the duty person's call or visit (``?intake=``) it starts filled in."""
    school = school_of(request.user)
    duty_intake = None
    if request.GET.get("intake", "").isdigit():
        duty_intake = get_intake_for_user(request.user, int(request.GET["intake"]))
        school = duty_intake.school
    initial = {}
    if duty_intake is not None:
        initial = {
            "student_number": getattr(duty_intake.student, "student_number", ""),
            "channel": Case.Channel.DUTY_PHONE,
            "brought_by": " · ".join(
                filter(None, [duty_intake.get_caller_kind_display(), duty_intake.caller_name])
            ),
            "problem": duty_intake.concern,
            "urgency": duty_intake.urgency,
        }
    if request.GET.get("appointment", "").isdigit():
        appointment = get_appointment_for_user(request.user, int(request.GET["appointment"]))
        if appointment.student_id:
            initial = {
                "student_number": appointment.student.student_number,
                "channel": Case.Channel.APPOINTMENT,
                "problem": appointment.topic,
            }
    form = forms.CaseOpenForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services_intake.case_open(
                actor=request.user,
                student=form.student,
                channel=data["channel"],
                problem=data["problem"],
                background=data["background"],
                brought_by=data["brought_by"],
                urgency=data["urgency"],
                source_object=duty_intake,
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The intake is recorded as case %s.") % case.number)
            return redirect("cases:case_detail", pk=case.pk)
    return _form_page(
        request,
        "cases/form_page.html",
        {"form": form, "title": _("New intake"), "testid": "case-open-form"},
        form,
    )


def _referral_form(request, *, students, channel: str, title: str, done_url: str):
    """One form for a teacher's referral and a guardian's concern: the case is theirs to start,
    never to read (DESIGN.md principle 1)."""
    form = forms.ReferStudentForm(request.POST or None, students=students)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = data["student"]
        perm = "cases.refer_this_student" if channel != Case.Channel.GUARDIAN else None
        if perm and not request.user.has_perm(perm, student):
            raise PermissionDenied
        try:
            services_intake.case_open(
                actor=request.user,
                student=student,
                channel=channel,
                problem=data["problem"],
                background=data["background"],
                brought_by=request.user.display_name,
                urgency=data["urgency"],
                referred_by=request.user,
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. The counseling room has received it and will follow up.")
            )
            return redirect(done_url)
    return _form_page(
        request,
        "cases/form_page.html",
        {"form": form, "title": title, "testid": "refer-form"},
        form,
    )


@permission_required("cases.refer_student")
def refer_student(request):
    students = Student.objects.for_user(request.user).filter(status=Student.Status.ENROLLED)
    allowed = [s.pk for s in students if request.user.has_perm("cases.refer_this_student", s)]
    return _referral_form(
        request,
        students=Student.objects.filter(pk__in=allowed).select_related("school_class__grade"),
        channel=Case.Channel.TEACHER_REFERRAL,
        title=_("Refer a student to the counseling room"),
        done_url="cases:my_referrals",
    )


@permission_required("cases.raise_concern")
def raise_concern(request):
    children = Student.objects.filter(guardian_links__guardian__user=request.user)
    return _referral_form(
        request,
        students=children,
        channel=Case.Channel.GUARDIAN,
        title=_("Tell the counseling room about a concern"),
        done_url="cases:my_referrals",
    )


@login_required
def my_referrals(request):
    """What a referring teacher or guardian may know: that the student is being supported."""
    if not (
        request.user.has_perm("cases.refer_student") or request.user.has_perm("cases.raise_concern")
    ):
        raise PermissionDenied
    referrals = (
        Case.objects.filter(referred_by=request.user)
        .select_related("student__school_class__grade")
        .only("number", "state", "opened_at", "student__name", "student__school_class")
    )
    page = Paginator(referrals.order_by("-opened_at"), 30).get_page(request.GET.get("page"))
    return render(request, "cases/my_referrals.html", {"page": page})


@login_required
def appointment_case(request, pk: int):
    """After an appointment: continue the student's open case with a record, or open one."""
    if not request.user.has_perm("cases.open_case"):
        record_refusal(request, Appointment, pk, "cases.open_case")
        raise PermissionDenied
    appointment = get_appointment_for_user(request.user, pk)
    if appointment.student_id is None:
        raise PermissionDenied
    case = (
        Case.objects.for_user(request.user)
        .filter(student_id=appointment.student_id, state__in=Case.WORKING_STATES)
        .filter(counselors__user=request.user)
        .order_by("-opened_at")
        .first()
    )
    if case is not None:
        return redirect(f"{reverse('cases:record_create', args=[case.pk])}?appointment={pk}")
    return redirect(f"{reverse('cases:case_open')}?appointment={pk}")


# --- one case ----------------------------------------------------------------------------------
def _case_context(request, case: Case) -> dict:
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
    user = request.user
    evaluations = list(case.evaluations.all())
    return {
        "case": case,
        "assessment": getattr(case, "assessment", None),
        "counselors": case.counselors.select_related("user"),
        "categories": case.categories.all(),
        "conferences": case.conferences.prefetch_related("participants__user"),
        "plans": plans,
        "current_plan": next((p for p in plans if p.state == SupportPlan.State.APPROVED), None),
        "draft_plan": next((p for p in plans if p.state == SupportPlan.State.DRAFT), None),
        "records": case.records.select_related("written_by"),
        "summaries": case.summaries.select_related("written_by"),
        "evaluations": evaluations,
        "evaluation_chart": _evaluation_chart(evaluations),
        "may": {
            name: user.has_perm(f"cases.{name}", case)
            for name in (
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
        },
        "working": case.state in Case.WORKING_STATES,
        "brief_form": forms.BriefAnswerForm(),
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
    case = get_case_or_refuse(request, pk)
    record_read(request, case)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_brief(request, pk: int):
    case = get_case_or_refuse(request, pk, "cases.assess_case")
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


@login_required
def case_assess(request, pk: int):
    case = get_case_or_refuse(request, pk, "cases.assess_case")
    assessment = getattr(case, "assessment", None)
    initial = {"lead": request.user.pk if request.user.has_role("counselor") else None}
    if assessment is not None:
        initial = {
            "severity": assessment.severity,
            "measures_needed": assessment.measures_needed,
            "notes": assessment.notes,
            "categories": list(case.categories.values_list("pk", flat=True)),
            "lead": case.counselors.filter(is_lead=True).values_list("user_id", flat=True).first(),
            "others": list(case.counselors.filter(is_lead=False).values_list("user_id", flat=True)),
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
    return _form_page(
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
        initial={
            "lead": case.counselors.filter(is_lead=True).values_list("user_id", flat=True).first(),
            "others": list(case.counselors.filter(is_lead=False).values_list("user_id", flat=True)),
        },
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
    return _form_page(
        request,
        "cases/form_page.html",
        {"form": form, "case": case, "title": _("Counselors"), "testid": "counselors-form"},
        form,
    )


# --- case conference ---------------------------------------------------------------------------
@login_required
def conference_convene(request, pk: int):
    case = get_case_or_refuse(request, pk, "cases.convene_conference")
    initial = {
        "place": _("Counseling room"),
        "participants": list(case.counselors.values_list("user_id", flat=True)),
    }
    form = forms.ConferenceForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        labels = services_plans.role_labels(case.school_id)
        try:
            conference = services_plans.conference_convene(
                actor=request.user,
                case=case,
                scheduled_at=data["scheduled_at"],
                place=data["place"],
                agenda=data["agenda"],
                participants=[(u, labels.get(u.pk, "")) for u in data["participants"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The conference is convened; the participants are told."))
            return redirect("cases:conference_detail", pk=conference.pk)
    return _form_page(
        request,
        "cases/form_page.html",
        {"form": form, "case": case, "title": _("Convene a case conference"), "testid": "convene"},
        form,
    )


def _conference_for(request, pk: int, perm: str) -> Conference:
    conference = get_object_or_404(Conference.objects.select_related("case"), pk=pk)
    get_case_or_refuse(request, conference.case_id, perm)
    return conference


@login_required
def conference_detail(request, pk: int):
    conference = _conference_for(request, pk, "cases.view_case")
    record_read(request, conference.case)
    form = forms.ConferenceRecordForm(
        request.POST or None,
        conference=conference,
        initial={"attended": [str(s.user_id) for s in conference.participants.all()]},
    )
    may_record = request.user.has_perm("cases.convene_conference", conference.case)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_plans.conference_record(
                    actor=request.user,
                    conference=conference,
                    attended=[int(v) for v in data["attended"]],
                    decisions=data["decisions"],
                    shared_summary=data["shared_summary"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The conference is recorded."))
                return redirect("cases:conference_detail", pk=conference.pk)
    return render(
        request,
        "cases/conference_detail.html",
        {
            "conference": conference,
            "case": conference.case,
            "participants": conference.participants.select_related("user"),
            "form": form,
            "may_record": may_record and conference.state == Conference.State.PLANNED,
        },
        status=400 if form.errors else 200,
    )


@login_required
def conference_share(request, pk: int):
    """What a participant outside the counseling staff sees: when, where, and what is shared."""
    conference = get_object_or_404(
        Conference.objects.select_related("case__student__school_class__grade"), pk=pk
    )
    if not request.user.has_perm("cases.view_conference_share", conference):
        perm = "cases.view_conference_share"
        record_refusal(request, Conference, pk, perm, school_id=conference.case.school_id)
        raise Http404
    if conference.shared_summary:
        record_read(request, conference.case, basis="conference participant: shared part only")
    return render(
        request,
        "cases/conference_share.html",
        {
            "conference": conference,
            "student": conference.case.student,
            "my_measures": PlanMeasure.objects.filter(
                plan__case=conference.case,
                plan__state=SupportPlan.State.APPROVED,
                responsible=request.user,
            ),
        },
    )


# --- plan --------------------------------------------------------------------------------------
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
    plan = get_object_or_404(SupportPlan, pk=pk)
    case = get_case_or_refuse(request, plan.case_id, "cases.approve_plan")
    try:
        services_plans.plan_approve(actor=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The plan is approved."))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def measure_status(request, pk: int):
    measure = get_object_or_404(PlanMeasure.objects.select_related("plan"), pk=pk)
    case = get_case_or_refuse(request, measure.plan.case_id, "cases.write_records")
    try:
        services_plans.measure_set_status(
            actor=request.user, measure=measure, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:case_detail", pk=case.pk)


# --- records, summaries, evaluations -----------------------------------------------------------
def _case_form(
    request, pk, *, perm, form_class, title, testid, save, initial=None, form_takes_case=False
):
    """A form page about one case whose valid input goes to one service call."""
    case = get_case_or_refuse(request, pk, perm)
    form_kwargs = {"case": case} if form_takes_case else {}
    form = form_class(request.POST or None, initial=initial or {}, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:case_detail", pk=case.pk)
    return _form_page(
        request,
        "cases/form_page.html",
        {"form": form, "case": case, "title": title, "testid": testid},
        form,
    )


@login_required
def record_create(request, pk: int):
    """A session record; after an appointment (``?appointment=``) it starts from the slot."""
    appointment, initial = None, {"held_at": timezone.localtime().replace(second=0, microsecond=0)}
    if request.GET.get("appointment", "").isdigit():
        appointment = get_appointment_for_user(request.user, int(request.GET["appointment"]))
        initial = {
            "held_at": timezone.localtime(appointment.slot.starts_at),
            "place": appointment.slot.room.name,
            "kind": "group" if appointment.slot.is_group else "individual",
        }

    def save(case, data):
        services_records.session_record(
            actor=request.user,
            case=case,
            kind=data["kind"],
            held_at=data["held_at"],
            place=data["place"],
            participants=data["participants"],
            problem=data["problem"],
            measures_taken=data["measures_taken"],
            effect=data["effect"],
            next_step=data["next_step"],
            appointment=appointment,
            submission_key=data["submission_key"],
            student_agreed=data.get("student_agreed", False),
        )

    return _case_form(
        request,
        pk,
        perm="cases.write_records",
        form_class=forms.SessionRecordForm,
        title=_("Session or contact record"),
        testid="record-form",
        save=save,
        initial=initial,
        form_takes_case=True,
    )


@login_required
def summary_create(request, pk: int):
    def save(case, data):
        services_records.stage_summary_write(actor=request.user, case=case, **data)

    return _case_form(
        request,
        pk,
        perm="cases.write_records",
        form_class=forms.StageSummaryForm,
        title=_("Stage summary"),
        testid="summary-form",
        save=save,
        initial={"period_end": timezone.localdate()},
    )


@login_required
def evaluation_create(request, pk: int):
    def save(case, data):
        services_records.evaluation_record(actor=request.user, case=case, **data)

    return _case_form(
        request,
        pk,
        perm="cases.write_records",
        form_class=forms.EvaluationForm,
        title=_("Effect evaluation"),
        testid="evaluation-form",
        save=save,
        initial={"evaluated_on": timezone.localdate()},
    )


@login_required
def case_close(request, pk: int):
    def save(case, data):
        services_records.case_request_closure(
            actor=request.user, case=case, closing_summary=data["closing_summary"]
        )

    return _case_form(
        request,
        pk,
        perm="cases.request_closure",
        form_class=forms.ClosingForm,
        title=_("Close the case"),
        testid="close-form",
        save=save,
    )


def _case_step(request, pk: int, perm: str, step, done: str) -> object:
    case = get_case_or_refuse(request, pk, perm)
    try:
        step(case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def case_close_confirm(request, pk: int):
    return _case_step(
        request,
        pk,
        "cases.confirm_closure",
        lambda case: services_records.case_confirm_closure(actor=request.user, case=case),
        _("The case is closed."),
    )


@login_required
@require_POST
def case_reopen(request, pk: int):
    return _case_step(
        request,
        pk,
        "cases.confirm_closure",
        lambda case: services_records.case_reopen(actor=request.user, case=case),
        _("The case stays open."),
    )


@login_required
@require_POST
def case_archive(request, pk: int):
    def step(case):
        semester = case.school.semesters.filter(is_current=True).first()
        if semester is None:
            raise ValidationError(_("The school has no current semester."))
        services_records.case_archive(actor=request.user, case=case, semester=semester)

    return _case_step(request, pk, "cases.archive_case", step, _("The case is archived."))


# --- the people responsible for measures -------------------------------------------------------
@permission_required("cases.view_own_tasks")
def my_tasks(request):
    """Measures asked of me: what to do and for whom, never why (DESIGN.md principle 1)."""
    measures = (
        PlanMeasure.objects.filter(
            responsible=request.user,
            plan__state=SupportPlan.State.APPROVED,
            plan__case__state__in=Case.WORKING_STATES,
        )
        .select_related("plan__case__student__school_class__grade")
        .prefetch_related("activities")
        .order_by("starts_on")
    )
    page = Paginator(measures, 30).get_page(request.GET.get("page"))
    return render(request, "cases/my_tasks.html", {"page": page})


@login_required
def measure_log(request, pk: int):
    measure = get_object_or_404(PlanMeasure.objects.select_related("plan__case__student"), pk=pk)
    if not request.user.has_perm("cases.log_measure_activity", measure):
        perm = "cases.log_measure_activity"
        record_refusal(request, PlanMeasure, pk, perm, school_id=measure.plan.case.school_id)
        raise Http404
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
    return _form_page(
        request,
        "cases/form_page.html",
        {
            "form": form,
            "title": _("Log a step of: %s") % measure.get_kind_display(),
            "testid": "measure-log-form",
        },
        form,
    )


# --- the school's classification list ----------------------------------------------------------
@permission_required("cases.manage_categories")
def category_list(request):
    school: School = school_of(request.user)
    services_intake.categories_ensure_defaults(school=school)
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(ProblemCategory, school=school, pk=request.GET["edit"])
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
            "categories": ProblemCategory.objects.filter(school=school),
            "form": form,
            "editing": editing,
        },
        status=400 if form.errors else 200,
    )
