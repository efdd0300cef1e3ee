"""Session records, stage summaries, effect evaluations, closure and the archive (seed 003 记录
→ 总结 → 评估 → 结案). Every page goes through ``get_case_or_refuse``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.cases import forms, services_records
from xinqiao.cases.access import get_case_or_refuse, record_read
from xinqiao.cases.case_sections import evaluation_initial
from xinqiao.core.params import query_id
from xinqiao.core.views.common import form_page, run_step
from xinqiao.rooms.access import get_appointment


def _case_form(
    request,
    pk,
    *,
    perm,
    form_class,
    title,
    testid,
    save,
    initial=None,
    form_takes_case=False,
    shows_case_material=False,
):
    """A form page about one case whose valid input goes to one service call; ``save`` gets
    the case and the form."""
    case = get_case_or_refuse(request, pk, perm)
    form_kwargs = {"case": case} if form_takes_case else {}
    form = form_class(request.POST or None, initial=initial or {}, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:case_detail", pk=case.pk)
    if shows_case_material:
        record_read(request, case)
    return form_page(
        request,
        "cases/form_page.html",
        {"form": form, "case": case, "title": title, "testid": testid},
        form,
    )


@login_required
def record_create(request, pk: int):
    """A session record; after an appointment (``?appointment=``) it starts from the slot."""
    appointment, initial = None, {"held_at": timezone.localtime().replace(second=0, microsecond=0)}
    appointment_id = query_id(request, "appointment")
    if appointment_id is not None:
        appointment = get_appointment(request, appointment_id)
        initial = {
            "held_at": timezone.localtime(appointment.slot.starts_at),
            "place": appointment.slot.room.name,
            "kind": "group" if appointment.slot.is_group else "individual",
        }

    def save(case, form):
        data = form.cleaned_data
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


def _dated_form(
    request,
    pk: int,
    *,
    service,
    form_class,
    title,
    testid: str,
    date_field: str,
    initial: dict | None = None,
):
    """A record about one case whose every field goes to ``service``; its date starts as today."""

    def save(case, form):
        service(actor=request.user, case=case, **form.cleaned_data)

    return _case_form(
        request,
        pk,
        perm="cases.write_records",
        form_class=form_class,
        title=title,
        testid=testid,
        save=save,
        initial={date_field: timezone.localdate(), **(initial or {})},
    )


@login_required
def summary_create(request, pk: int):
    return _dated_form(
        request,
        pk,
        service=services_records.stage_summary_write,
        form_class=forms.StageSummaryForm,
        title=_("Stage summary"),
        testid="summary-form",
        date_field="period_end",
    )


@login_required
def evaluation_create(request, pk: int):
    # What other apps fill in (a scale result chosen on the case page: case_sections.py); asked
    # only of a case the reader may write to.
    initial = {}
    if request.method == "GET" and request.GET:
        case = get_case_or_refuse(request, pk, "cases.write_records")
        initial = evaluation_initial(request=request, case=case)
    return _dated_form(
        request,
        pk,
        service=services_records.evaluation_record,
        form_class=forms.EvaluationForm,
        title=_("Effect evaluation"),
        testid="evaluation-form",
        date_field="evaluated_on",
        initial=initial,
    )


@login_required
def case_close(request, pk: int):
    def save(case, form):
        services_records.case_request_closure(
            actor=request.user,
            case=case,
            closing_summary=form.cleaned_data["closing_summary"],
            measure_ends=form.measure_ends(),
        )

    return _case_form(
        request,
        pk,
        perm="cases.request_closure",
        form_class=forms.ClosingForm,
        title=_("Close the case"),
        testid="close-form",
        save=save,
        form_takes_case=True,
        shows_case_material=True,  # the measures and who holds them
    )


def _case_step(request, pk: int, perm: str, step, done: str) -> object:
    case = get_case_or_refuse(request, pk, perm)
    run_step(request, lambda: step(case), done)
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
