"""Pages of the crisis record (an alert in intervention), the disclosure register and
emergency access (issue 14 items 5 and 6). Thin: a getter, a form, one service call."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from xinqiao.core.access import record_read
from xinqiao.core.access_log import record_access
from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import download, export_mark, mark_workbook, watermark_text
from xinqiao.core.params import query_day, query_id
from xinqiao.core.roles import Role
from xinqiao.core.xlsx import XLSX_CONTENT_TYPE, workbook_bytes
from xinqiao.crisis import services_intervention as services
from xinqiao.crisis.access import (
    get_emergency_access,
    get_follow_up,
    get_record_of_alert,
    student_for_emergency,
)
from xinqiao.crisis.casework import case_work
from xinqiao.crisis.models import Disclosure, EmergencyAccess, SafetyPlan

TEXTAREA = forms.Textarea(attrs={"rows": 3})
BASIS = "counseling staff of the school"


class OpenForm(forms.Form):
    with_student = forms.CharField(
        label=gettext_lazy("Who is with the student now"), max_length=500, required=False
    )


class DetailsForm(forms.Form):
    with_student = forms.CharField(
        label=gettext_lazy("Who is with the student now"), max_length=500, required=False
    )
    return_plan = forms.CharField(
        label=gettext_lazy("Return-to-school plan"),
        widget=TEXTAREA,
        max_length=4000,
        required=False,
    )


class SafetyPlanForm(forms.ModelForm):
    class Meta:
        model = SafetyPlan
        fields = SafetyPlan.TEXT_FIELDS
        widgets = {name: TEXTAREA for name in SafetyPlan.TEXT_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warning_signs"].required = True
        self.fields["coping_steps"].required = True


class GuardianContactForm(forms.Form):
    guardian = forms.CharField(label=gettext_lazy("Guardian contacted"), max_length=100)
    contacted_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    said = forms.CharField(label=gettext_lazy("What was said"), widget=TEXTAREA, max_length=4000)
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground of the disclosure"),
        choices=[
            (value, label)
            for value, label in Disclosure.Ground.choices
            if value != Disclosure.Ground.CONSULTATION
        ],
        initial=Disclosure.Ground.SAFETY,
    )


class DisclosureForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label=gettext_lazy("Told"),
        choices=[
            (value, label)
            for value, label in Disclosure.RecipientKind.choices
            if value in services.OTHER_RECIPIENTS
        ],
    )
    recipient = forms.CharField(label=gettext_lazy("To whom"), max_length=300)
    what = forms.CharField(
        label=gettext_lazy("What was disclosed"), widget=TEXTAREA, max_length=4000
    )
    why = forms.CharField(label=gettext_lazy("Why"), max_length=500)
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground of the disclosure"),
        choices=GuardianContactForm.base_fields["ground"].choices,
        initial=Disclosure.Ground.SAFETY,
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("How the student is"), widget=TEXTAREA, max_length=4000
    )


class CloseForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Closing summary"), widget=TEXTAREA, max_length=8000
    )


# --- the crisis record ----------------------------------------------------------------------------
def _render_record(request, alert, record, *, status: int = 200, **bound):
    if record is not None:
        record_read(request, record, basis=BASIS, school_id=alert.school_id)
    plan = getattr(record, "safety_plan", None) if record is not None else None
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    context = {
        "alert": alert,
        "record": record,
        "case": case_work().ref(record.case_id) if record and record.case_id else None,
        "open_form": bound.get("open_form") or OpenForm(),
        "details_form": bound.get("details_form")
        or DetailsForm(
            initial={
                "with_student": getattr(record, "with_student", ""),
                "return_plan": getattr(record, "return_plan", ""),
            }
        ),
        "plan_form": bound.get("plan_form") or SafetyPlanForm(instance=plan),
        "contact_form": bound.get("contact_form")
        or GuardianContactForm(initial={"contacted_at": now}),
        "disclosure_form": bound.get("disclosure_form") or DisclosureForm(),
        "disclosures": alert.disclosures.order_by("disclosed_at", "pk"),
        "follow_up_form": bound.get("follow_up_form") or FollowUpForm(),
        "follow_up_error": bound.get("follow_up_error"),
        "close_form": bound.get("close_form") or CloseForm(),
    }
    return render(request, "crisis/crisis_record.html", context, status=status)


@login_required
def crisis_record(request, pk: int):
    """GET: the record (or the form that opens it); POST: open it (the alert goes into
    intervention, the student's case is opened or joined, the follow-ups are scheduled)."""
    alert, record = get_record_of_alert(request, pk)
    if request.method != "POST":
        return _render_record(request, alert, record)
    form = OpenForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_open(
                actor=request.user, alert=alert, with_student=form.cleaned_data["with_student"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("crisis:crisis_record", pk=alert.pk)
    return _render_record(request, alert, record, status=400, open_form=form)


def _record_step(request, pk: int, form_class, form_name: str, act, done: str, **form_kwargs):
    """A part of an open record: the form, the service, the record's page (400 keeps what was
    typed)."""
    alert, record = get_record_of_alert(request, pk)
    if record is None:
        messages.error(request, _("Open the crisis record first."))
        return redirect("crisis:crisis_record", pk=alert.pk)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            act(record, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("crisis:crisis_record", pk=alert.pk)
    return _render_record(request, alert, record, status=400, **{form_name: form})


@login_required
@require_POST
def crisis_record_details(request, pk: int):
    return _record_step(
        request,
        pk,
        DetailsForm,
        "details_form",
        lambda record, data: services.record_details_save(
            actor=request.user, record=record, **data
        ),
        _("Saved."),
    )


@login_required
@require_POST
def safety_plan_save(request, pk: int):
    return _record_step(
        request,
        pk,
        SafetyPlanForm,
        "plan_form",
        lambda record, data: services.safety_plan_save(actor=request.user, record=record, **data),
        _("The safety plan is saved."),
    )


@login_required
def safety_plan_print(request, pk: int):
    """The safety plan on one page, for the student and the people who keep them safe."""
    alert, record = get_record_of_alert(request, pk)
    plan = getattr(record, "safety_plan", None) if record is not None else None
    if plan is None:
        messages.error(request, _("Write the safety plan first."))
        return redirect("crisis:crisis_record", pk=alert.pk)
    record_read(request, record, action="print", basis=BASIS, school_id=alert.school_id)
    context = {"alert": alert, "plan": plan, "watermark": watermark_text(request.user)}
    return render(request, "crisis/safety_plan_print.html", context)


@login_required
@require_POST
def guardian_contact_add(request, pk: int):
    return _record_step(
        request,
        pk,
        GuardianContactForm,
        "contact_form",
        lambda record, data: services.guardian_contact_record(
            actor=request.user, record=record, request=request, **data
        ),
        _("The guardian contact is recorded, with its entry in the disclosure register."),
    )


@login_required
@require_POST
def intervention_disclose(request, pk: int):
    return _record_step(
        request,
        pk,
        DisclosureForm,
        "disclosure_form",
        lambda record, data: services.intervention_disclose(
            actor=request.user, record=record, request=request, **data
        ),
        _("The disclosure is entered in the register."),
    )


@login_required
@require_POST
def follow_up_done(request, pk: int, follow_up_pk: int):
    alert, record = get_record_of_alert(request, pk)
    if record is None:
        return redirect("crisis:crisis_record", pk=alert.pk)
    follow_up = get_follow_up(request, record, follow_up_pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_record(
                actor=request.user, follow_up=follow_up, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("crisis:crisis_record", pk=alert.pk)
    return _render_record(
        request, alert, record, status=400, follow_up_form=form, follow_up_error=follow_up.pk
    )


@login_required
@require_POST
def crisis_record_close(request, pk: int):
    return _record_step(
        request,
        pk,
        CloseForm,
        "close_form",
        lambda record, data: services.intervention_close(
            actor=request.user, record=record, summary=data["summary"]
        ),
        _("The crisis record is closed and the alert resolved."),
    )


# --- the disclosure register ----------------------------------------------------------------------
def _log_page(request, model, action: str, basis: str) -> None:
    """One line in the access log for a page (or an export) of a confidential list."""
    schools = sorted(request.user.school_ids_with(Role.DIRECTOR))
    record_access(
        actor=request.user,
        action=action,
        object_type=model._meta.label,
        object_id="list",
        school_id=schools[0] if len(schools) == 1 else None,
        basis=basis,
        request=request,
    )


def _disclosures(request):
    """The register as the director filters it: student, kind of recipient, ground, dates."""
    entries = Disclosure.objects.for_user(request.user).select_related(
        "student__school_class", "decided_by"
    )
    filters = {
        "student": str(query_id(request, "student") or ""),
        "kind": request.GET.get("kind", ""),
        "ground": request.GET.get("ground", ""),
        "q": request.GET.get("q", "").strip()[:60],
    }
    if filters["student"]:
        entries = entries.filter(student_id=filters["student"])
    if filters["q"]:
        entries = entries.filter(student__name__contains=filters["q"])
    if filters["kind"] in Disclosure.RecipientKind.values:
        entries = entries.filter(recipient_kind=filters["kind"])
    if filters["ground"] in Disclosure.Ground.values:
        entries = entries.filter(ground=filters["ground"])
    for name, lookup in (("start", "disclosed_at__date__gte"), ("end", "disclosed_at__date__lte")):
        day = query_day(request, name)
        filters[name] = day.isoformat() if day else ""
        if day is not None:
            entries = entries.filter(**{lookup: day})
    return entries.order_by("-disclosed_at", "-pk"), filters


@permission_required("crisis.view_disclosures")
def disclosure_list(request):
    entries, filters = _disclosures(request)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    _log_page(request, Disclosure, "read", "director of the school: disclosure register")
    return render(
        request,
        "crisis/disclosure_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": Disclosure.RecipientKind.choices,
            "grounds": Disclosure.Ground.choices,
            "export_query": request.GET.urlencode(),
        },
    )


@permission_required("crisis.view_disclosures")
def disclosure_export(request):
    """The register (as filtered) as an Excel workbook; the export is in the access log."""
    entries, _filters = _disclosures(request)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Disclosure register")[:31]
    sheet.append(
        [
            _("When"),
            _("Student"),
            _("Told"),
            _("To whom"),
            _("What was disclosed"),
            _("Why"),
            _("Ground"),
            _("Decided by"),
        ]
    )
    for entry in entries:
        sheet.append(
            [
                timezone.localtime(entry.disclosed_at).strftime("%Y-%m-%d %H:%M"),
                entry.student.name if entry.student else "",
                entry.get_recipient_kind_display(),
                entry.recipient,
                entry.what,
                entry.why,
                entry.get_ground_display(),
                entry.decided_by_name,
            ]
        )
    mark_workbook(workbook, export_mark(request.user))
    _log_page(request, Disclosure, "export", "director of the school: disclosure register")
    return download(
        workbook_bytes(workbook),
        content_type=XLSX_CONTENT_TYPE,
        filename=_("Disclosure register-%(day)s.xlsx") % {"day": timezone.localdate()},
    )


# --- emergency access (break-glass) ---------------------------------------------------------------
class EmergencyAccessForm(forms.Form):
    student_number = forms.CharField(label=gettext_lazy("Student number"), max_length=30)
    reason = forms.CharField(
        label=gettext_lazy("Why the file must be opened now"),
        widget=TEXTAREA,
        max_length=2000,
        help_text=gettext_lazy(
            "Only when the student's safety is at stake and no director answers. The director "
            "is told at once and reviews every emergency access."
        ),
    )


@permission_required("crisis.open_emergency_access")
def emergency_access_open(request):
    """Open a student's file in an emergency: the student number and the written reason."""
    status = 200
    if request.method == "POST":
        form = EmergencyAccessForm(request.POST)
        if form.is_valid():
            student = student_for_emergency(request, form.cleaned_data["student_number"].strip())
            if student is None:
                form.add_error("student_number", _("No student of your school has this number."))
            else:
                try:
                    services.emergency_access_open(
                        actor=request.user,
                        student=student,
                        reason=form.cleaned_data["reason"],
                        request=request,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    return redirect("cases:student_file", student_pk=student.pk)
        status = 400
    else:
        form = EmergencyAccessForm(initial={"student_number": request.GET.get("student", "")})
    held = EmergencyAccess.objects.for_user(request.user).filter(user_id=request.user.pk)[:10]
    return render(
        request,
        "crisis/emergency_access_form.html",
        {"form": form, "held": held, "hours": settings.EMERGENCY_ACCESS_HOURS},
        status=status,
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=EmergencyAccess.Outcome.choices
    )
    note = forms.CharField(
        label=gettext_lazy("Review note"), widget=TEXTAREA, max_length=2000, required=False
    )


@permission_required("crisis.review_emergency_access")
def emergency_access_review_list(request, review_form=None, failed=None, status=200):
    """The director's review list: accesses awaiting review first, then the reviewed ones."""
    accesses = EmergencyAccess.objects.for_user(request.user).filter(
        school_id__in=request.user.school_ids_with(Role.DIRECTOR)
    )
    show = request.GET.get("show", "waiting")
    if show != "all":
        accesses = accesses.awaiting_review()
    accesses = accesses.select_related("student__school_class", "user", "reviewed_by")
    page = Paginator(accesses.order_by("-opened_at", "-pk"), 30).get_page(request.GET.get("page"))
    _log_page(request, EmergencyAccess, "read", "director of the school: review list")
    return render(
        request,
        "crisis/emergency_access_list.html",
        {
            "page": page,
            "show": show,
            "review_form": ReviewForm(),
            "failed_form": review_form,
            "failed": failed,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def emergency_access_review(request, pk: int):
    access = get_emergency_access(request, pk, "crisis.review_emergency_access")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.emergency_access_review(actor=request.user, access=access, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect(reverse("crisis:emergency_access_review_list"))
    return emergency_access_review_list(request, review_form=form, failed=access.pk, status=400)
