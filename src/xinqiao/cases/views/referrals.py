"""Pages of referrals, consents, typical cases and the directory of outside services.

Case material (a referral's reason and outcome, consents, the letter, the draft of a typical
case) is reached only through ``get_case_or_refuse`` — refusals are written to the access log —
and every read or export of it calls ``record_read``. The typical-case library shows only
published, de-identified texts (seed 000: 必须隐去可能辨认出来访学生的有关信息).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.cases import services_consent, services_directory, services_referrals, services_typical
from xinqiao.cases.access import (
    consents_covering,
    get_case_or_refuse,
    get_consent,
    get_outside_service,
    get_published_typical,
    get_referral,
    get_typical,
    record_read,
)
from xinqiao.cases.forms_referrals import (
    CancelForm,
    ConsentForm,
    OutcomeForm,
    OutsideServiceForm,
    ReferralForm,
    TypicalCaseForm,
    add_service_errors,
)
from xinqiao.cases.models import (
    Case,
    Consent,
    OutsideService,
    ProblemCategory,
    Referral,
    TypicalCase,
)
from xinqiao.cases.referral_letter import build_referral_letter, letter_filename
from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import DOCX_CONTENT_TYPE, download, export_mark
from xinqiao.core.params import query_id
from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES
from xinqiao.core.views.common import run_step
from xinqiao.people.models import School


def _status(form) -> int:
    return 400 if form.errors else 200


# --- the directory of outside services ----------------------------------------------------------
@permission_required("cases.view_services")
def service_list(request):
    services_qs = OutsideService.objects.for_user(request.user).filter(
        school_id__in=request.user.school_ids_with(*COUNSELING_ROLES)
    )
    filters = {key: request.GET.get(key, "").strip() for key in ("kind", "q", "all")}
    if filters["kind"] in OutsideService.Kind.values:
        services_qs = services_qs.filter(kind=filters["kind"])
    else:
        filters["kind"] = ""
    if filters["q"]:
        services_qs = services_qs.filter(
            Q(name__icontains=filters["q"]) | Q(handles__icontains=filters["q"])
        )
    if not filters["all"]:
        services_qs = services_qs.filter(is_active=True)
    page = Paginator(services_qs.order_by("name"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/service_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": OutsideService.Kind.choices,
            "may_manage": request.user.has_perm("cases.manage_services"),
        },
    )


@permission_required("cases.manage_services")
def service_create(request):
    schools = School.objects.for_user(request.user).filter(
        pk__in=request.user.school_ids_with(*COUNSELING_ROLES)
    )
    form = OutsideServiceForm(request.POST or None)
    if len(schools) > 1:
        form.fields["school"] = forms.ModelChoiceField(label=_("School"), queryset=schools)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.pop("school", None) or schools.first()
        try:
            services_directory.service_save(actor=request.user, school=school, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The service is in the directory."))
            return redirect("cases:service_list")
    return render(
        request, "cases/service_form.html", {"form": form, "service": None}, status=_status(form)
    )


@login_required
def service_edit(request, pk: int):
    service = get_outside_service(request, pk)
    form = OutsideServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            services_directory.service_save(
                actor=request.user, school=service.school, service=service, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The service is saved."))
            return redirect("cases:service_list")
    return render(
        request,
        "cases/service_form.html",
        {"form": form, "service": service},
        status=_status(form),
    )


@login_required
@require_POST
def service_deactivate(request, pk: int):
    service = get_outside_service(request, pk)
    services_directory.service_deactivate(actor=request.user, service=service)
    messages.success(
        request,
        _("%(name)s is no longer offered for new referrals.") % {"name": service.name},
    )
    return redirect("cases:service_list")


# --- consent --------------------------------------------------------------------------------------
CONSENT_NEXT = {"referral": "cases:referral_create", "typical": "cases:typical_mark"}


@login_required
def consent_list(request, case_pk: int):
    case = get_case_or_refuse(request, case_pk, "cases.view_case_referrals")
    record_read(request, case)
    return _consent_page(request, case, ConsentForm(case=case))


def _consent_page(request, case: Case, form, status: int = 200):
    may_record = request.user.has_perm("cases.record_consent", case)
    return render(
        request,
        "cases/consent_list.html",
        {
            "case": case,
            "consents": consents_covering(request.user, case),
            "form": form if may_record else None,
            "may_record": may_record,
        },
        status=status,
    )


@login_required
def consent_create(request, case_pk: int):
    case = get_case_or_refuse(request, case_pk, "cases.record_consent")
    form = ConsentForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services_consent.consent_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            # Back to the step the consent was needed for.
            after = CONSENT_NEXT.get(request.GET.get("next", ""), "cases:consent_list")
            return redirect(after, case.pk)
    record_read(request, case)
    return _consent_page(request, case, form, status=_status(form))


@login_required
@require_POST
def consent_withdraw(request, case_pk: int, pk: int):
    case = get_case_or_refuse(request, case_pk, "cases.record_consent")
    consent = get_consent(request, case, pk)
    run_step(
        request,
        lambda: services_consent.consent_withdraw(actor=request.user, consent=consent),
        _("The consent is withdrawn."),
    )
    return redirect("cases:consent_list", case_pk=case.pk)


# --- referral ---------------------------------------------------------------------------------------
@permission_required("cases.view_case_list")
def referral_list(request):
    """Referrals waiting for their follow-up, the overdue ones first and marked."""
    referrals = services_referrals.referrals_awaiting_follow_up(request.user)
    filters = {key: request.GET.get(key, "") for key in ("kind", "overdue", "mine")}
    today = timezone.localdate()
    if filters["kind"] in Referral.Kind.values:
        referrals = referrals.filter(kind=filters["kind"])
    else:
        filters["kind"] = ""
    if filters["overdue"]:
        referrals = referrals.filter(follow_up_due__lt=today)
    if filters["mine"]:
        referrals = referrals.filter(referred_by=request.user)
    page = Paginator(referrals, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/referral_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": Referral.Kind.choices,
            "today": today,
            "overdue_count": services_referrals.referrals_awaiting_follow_up(request.user)
            .filter(follow_up_due__lt=today)
            .count(),
        },
    )


@login_required
def referral_create(request, case_pk: int):
    case = get_case_or_refuse(request, case_pk, "cases.refer_case")
    record_read(request, case)
    form = ReferralForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services_referrals.referral_create(
                actor=request.user, case=case, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The referral is recorded."))
            return redirect("cases:referral_detail", pk=referral.pk)
    consent = services_consent.consent_in_force(
        student=case.student, purpose=Consent.Purpose.REFERRAL, case=case
    )
    return render(
        request,
        "cases/referral_form.html",
        {
            "case": case,
            "form": form,
            "consent": consent,
            "may_record_consent": request.user.has_perm("cases.record_consent", case),
            "has_services": form.fields["to_service"].queryset.exists(),
        },
        status=_status(form),
    )


@login_required
def referral_detail(request, pk: int):
    referral = get_referral(request, pk, "cases.view_case_referrals")
    record_read(request, referral.case)
    return _referral_page(request, referral)


def _referral_page(request, referral: Referral, *, outcome_form=None, status: int = 200):
    case = referral.case
    may_refer = request.user.has_perm("cases.refer_case", case)
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            "case": case,
            "may_refer": may_refer,
            "is_open": referral.state == Referral.State.OPEN,
            "overdue": referral.state == Referral.State.OPEN
            and referral.follow_up_due < timezone.localdate(),
            "outcome_form": outcome_form or OutcomeForm(),
            "cancel_form": CancelForm(),
        },
        status=status,
    )


@login_required
@require_POST
def referral_outcome(request, pk: int):
    referral = get_referral(request, pk, "cases.refer_case")
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services_referrals.referral_record_outcome(
                actor=request.user, referral=referral, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect("cases:referral_detail", pk=referral.pk)
    record_read(request, referral.case)
    return _referral_page(request, referral, outcome_form=form, status=400)


@login_required
@require_POST
def referral_cancel(request, pk: int):
    referral = get_referral(request, pk, "cases.refer_case")
    form = CancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    run_step(
        request,
        lambda: services_referrals.referral_cancel(
            actor=request.user, referral=referral, note=note
        ),
        _("The referral is cancelled."),
    )
    return redirect("cases:referral_detail", pk=referral.pk)


@login_required
def referral_letter(request, pk: int):
    """The referral letter as a Word document: an export of case material, logged."""
    referral = get_referral(request, pk, "cases.refer_case")
    if referral.kind != Referral.Kind.EXTERNAL:
        raise Http404
    record_read(request, referral.case, action="export", basis=_letter_basis(request, referral))
    return download(
        build_referral_letter(referral, mark=export_mark(request.user)),
        content_type=DOCX_CONTENT_TYPE,
        filename=letter_filename(referral),
    )


def _letter_basis(request, referral: Referral) -> str:
    who = (
        "director of the school"
        if request.user.has_role("director", school_id=referral.case.school_id)
        else "counselor of the case"
    )
    return f"{who}; referral letter {referral.pk}"


# --- typical cases ----------------------------------------------------------------------------------
@permission_required("cases.view_typical_cases")
def typical_list(request):
    """The library of published typical cases of the user's schools, by category."""
    user = request.user
    published = TypicalCase.objects.for_user(user).filter(
        school_id__in=user.school_ids_with(*COUNSELING_ROLES, *LEADERSHIP_ROLES), published=True
    )
    categories = (
        ProblemCategory.objects.for_user(user)
        .filter(pk__in=published.values("category_id"))
        .order_by("order", "name")
    )
    category_id = query_id(request, "category")
    if category_id is not None:
        published = published.filter(category_id=category_id)
    category = str(category_id or "")
    page = Paginator(published.select_related("category").order_by("-marked_at"), 20).get_page(
        request.GET.get("page")
    )
    drafts = (
        TypicalCase.objects.for_user(user)
        .filter(
            published=False,
            case__counselors__user=user,
            school_id__in=user.school_ids_with(*COUNSELING_ROLES),
        )
        .select_related("case")
        .order_by("-marked_at")
    )
    return render(
        request,
        "cases/typical_list.html",
        {"page": page, "categories": categories, "category": category, "drafts": drafts},
    )


@login_required
def typical_detail(request, pk: int):
    """One published, de-identified typical case: it names no student, so reading it is not
    a read of case material."""
    typical = get_published_typical(request, pk)
    may_edit = request.user.has_perm("cases.mark_typical", typical.case)
    return render(request, "cases/typical_detail.html", {"typical": typical, "may_edit": may_edit})


@login_required
def typical_mark(request, case_pk: int):
    """Mark a closed case as a teaching example; the de-identified draft opens for review."""
    case = get_case_or_refuse(request, case_pk, "cases.mark_typical")
    existing = TypicalCase.objects.for_user(request.user).filter(case=case).first()
    if existing is not None:
        return redirect("cases:typical_edit", pk=existing.pk)
    consent = services_consent.consent_in_force(
        student=case.student, purpose=Consent.Purpose.TEACHING, case=case
    )
    error = None
    if request.method == "POST":
        try:
            # Building the draft reads the case's records.
            record_read(request, case)
            typical = services_typical.typical_mark(actor=request.user, case=case)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("The draft is ready. Check that nothing identifies the student, then publish."),
            )
            return redirect("cases:typical_edit", pk=typical.pk)
    return render(
        request,
        "cases/typical_mark.html",
        {
            "case": case,
            "consent": consent,
            "closed": case.state in services_typical.TYPICAL_STATES,
            "error": error,
            "may_record_consent": request.user.has_perm("cases.record_consent", case),
        },
        status=400 if error else 200,
    )


@login_required
def typical_edit(request, pk: int):
    typical = get_typical(request, pk)
    record_read(request, typical.case)
    form = TypicalCaseForm(
        request.POST or None,
        school_id=typical.school_id,
        initial={"title": typical.title, "category": typical.category, "text": typical.text},
    )
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        try:
            services_typical.typical_edit(
                actor=request.user, typical=typical, publish=publish, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if publish:
                messages.success(request, _("The typical case is published in the library."))
                return redirect("cases:typical_detail", pk=typical.pk)
            messages.success(request, _("The draft is saved."))
            return redirect("cases:typical_edit", pk=typical.pk)
    left = services_typical.identifying_details_left(typical)
    return render(
        request,
        "cases/typical_edit.html",
        {"typical": typical, "case": typical.case, "form": form, "left": left},
        status=_status(form),
    )


@login_required
@require_POST
def typical_unpublish(request, pk: int):
    typical = get_typical(request, pk)
    services_typical.typical_unpublish(actor=request.user, typical=typical)
    messages.success(request, _("The typical case is taken out of the library."))
    return redirect("cases:typical_edit", pk=typical.pk)
