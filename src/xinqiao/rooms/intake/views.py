"""Phone and walk-in intake: the duty person records a call quickly, then books the caller an
appointment or, when it is urgent, raises an alert (seed 000: 接听来电, 面谈预约登记)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.access import record_read
from xinqiao.core.decorators import permission_required
from xinqiao.people.selectors import school_of
from xinqiao.rooms import access
from xinqiao.rooms.appointments.views import free_slot_booking
from xinqiao.rooms.intake import services
from xinqiao.rooms.intake.forms import IntakeAlertForm, IntakeBookingForm, IntakeForm
from xinqiao.rooms.models import Appointment, AppointmentSlot, Intake


@permission_required("rooms.view_intakes")
def intake_list(request):
    intakes = Intake.objects.for_user(request.user).select_related("student", "received_by")
    filters = {}
    for name, choices in (
        ("outcome", Intake.Outcome.values),
        ("urgency", Intake.Urgency.values),
        ("channel", Intake.Channel.values),
    ):
        value = request.GET.get(name, "")
        if value in choices:
            intakes = intakes.filter(**{name: value})
        filters[name] = value
    if request.GET.get("mine"):
        intakes = intakes.filter(received_by=request.user)
        filters["mine"] = "1"
    page = Paginator(intakes.order_by("-received_at"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "rooms/intake_list.html",
        {
            "page": page,
            "filters": filters,
            "outcomes": Intake.Outcome.choices,
            "urgencies": Intake.Urgency.choices,
            "channels": Intake.Channel.choices,
        },
    )


@permission_required("rooms.record_intake")
def intake_create(request):
    school = school_of(request.user)
    form = IntakeForm(request.POST or None, user=request.user, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intake = services.intake_record(
                actor=request.user,
                school=school,
                channel=data["channel"],
                caller_kind=data["caller_kind"],
                caller_name=data["caller_name"],
                contact=data["contact"],
                student=form.student,
                concern=data["concern"],
                urgency=data["urgency"],
                answered=data["answered"],
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The intake is recorded."))
            return redirect("rooms:intake_detail", pk=intake.pk)
    return render(
        request, "rooms/intake_form.html", {"form": form}, status=400 if form.errors else 200
    )


# The one-intake pages ask their rule of the intake in the getter, which writes every refusal
# (of any role) to the access log: the concern is confidential (seed 000).
@login_required
def intake_detail(request, pk: int):
    intake = access.get_intake(request, pk)
    own = intake.received_by_id == request.user.pk
    record_read(
        request, intake, basis="recorded this intake" if own else "counseling staff of the school"
    )
    alert = services.intake_alert(intake) if intake.outcome == Intake.Outcome.ALERT else None
    return render(
        request,
        "rooms/intake_detail.html",
        {
            "intake": intake,
            "alert": alert,
            "appointments": intake.appointments.select_related("slot__counselor", "slot__room"),
            "alert_form": IntakeAlertForm(),
        },
    )


@login_required
def intake_book(request, pk: int):
    """Book the caller of an intake into a free slot."""
    intake = access.get_intake(request, pk, perm="rooms.act_on_intake")

    def book(data: dict) -> Appointment:
        slot = _slot_of_school(request, data["slot"], intake.school_id)
        return services.intake_to_appointment(
            actor=request.user, intake=intake, slot=slot, topic=data["topic"]
        )

    return free_slot_booking(
        request,
        form=IntakeBookingForm(request.POST or None),
        school_id=intake.school_id,
        book=book,
        success=_("The appointment is booked."),
        template="rooms/intake_book.html",
        context={"intake": intake},
        errors_as_messages=True,
    )


@login_required
@require_POST
def intake_alert(request, pk: int):
    """Turn the intake into an alert: the counseling staff are told at once."""
    intake = access.get_intake(request, pk, perm="rooms.act_on_intake")
    form = IntakeAlertForm(request.POST)
    if form.is_valid():
        try:
            alert = services.intake_to_alert(
                actor=request.user,
                intake=intake,
                risk_level=form.cleaned_data["risk_level"],
                what_was_said=form.cleaned_data["what_was_said"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The alert is raised; the counseling staff have been told.")
            )
            return redirect("crisis:alert_detail", pk=alert.pk)
    return render(
        request,
        "rooms/intake_detail.html",
        {
            "intake": intake,
            "alert": None,
            "appointments": intake.appointments.select_related("slot__counselor", "slot__room"),
            "alert_form": form,
        },
        status=400,
    )


def _slot_of_school(request, slot_id: int, school_id: int) -> AppointmentSlot:
    """A slot of the intake's school the user sees (any other is refused, 403)."""
    slots = AppointmentSlot.objects.for_user(request.user).filter(school_id=school_id)
    slot = slots.filter(pk=slot_id).first()
    if slot is None:
        raise PermissionDenied
    return slot
