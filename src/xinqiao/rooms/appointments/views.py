"""Appointments: free slots and booking (a student from their phone, staff for someone else),
my bookings, the school's appointment book with check-in, cancel and reschedule with reasons,
the slots counselors publish and a counselor's week."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_day, query_id
from xinqiao.core.redirects import safe_next
from xinqiao.people.selectors import school_of
from xinqiao.rooms import access
from xinqiao.rooms.appointments import selectors, services
from xinqiao.rooms.appointments.forms import (
    OptionalReasonForm,
    OwnBookingForm,
    ReasonForm,
    RescheduleForm,
    SlotFilterForm,
    SlotForm,
    SlotGenerateForm,
    StaffBookingForm,
)
from xinqiao.rooms.models import Appointment, AppointmentSlot


def _booking_school_id(user) -> int:
    own = selectors.own_student_record(user)
    return own.school_id if own is not None else school_of(user).pk


def _labelled(appointments):
    for appointment in appointments:
        appointment.topic_label = services.topic_label(appointment.topic)
    return appointments


def free_slot_page(request, *, school_id: int) -> dict:
    """The filter form and a page of free slots of a school (booking and rescheduling)."""
    form = SlotFilterForm(request.GET or None, school_id=school_id)
    slots = selectors.free_slots(
        AppointmentSlot.objects.for_user(request.user).filter(school_id=school_id), **form.filters()
    )
    page = Paginator(slots, 20).get_page(request.GET.get("page"))
    return {"filter_form": form, "page": page}


def free_slot_booking(
    request,
    *,
    form,
    school_id: int,
    book: Callable[[dict], Appointment | None],
    success: str,
    template: str,
    context: dict,
    errors_as_messages: bool = False,
):
    """A page of the free slots of ``school_id`` where ``form`` books one (rescheduling, booking
    a caller from an intake).

    On a valid POST ``book(data)`` books and the page goes to the appointment; ``book`` returns
    None when it put an error on the form instead. A slot taken a moment earlier answers 409 with
    the next free slots; a refusal of the service is shown on the form, or as a message where
    the page's form has no place for it (``errors_as_messages``).
    """
    taken = None
    if request.method == "POST" and form.is_valid():
        try:
            appointment = book(form.cleaned_data)
        except services.SlotTaken as error:
            taken = error
        except ValidationError as error:
            if errors_as_messages:
                messages.error(request, " ".join(error.messages))
            else:
                form.add_error(None, error)
        else:
            if appointment is not None:
                messages.success(request, success)
                return redirect("rooms:appointment_detail", pk=appointment.pk)
    context = {**free_slot_page(request, school_id=school_id), **context}
    context.update({"form": form, "taken": taken})
    return render(
        request, template, context, status=409 if taken else (400 if form.errors else 200)
    )


# --- booking -----------------------------------------------------------------------------------
@permission_required("rooms.view_slots")
def booking_start(request):
    """Free times to book, with a chosen counselor or anyone (phone-first page)."""
    context = free_slot_page(request, school_id=_booking_school_id(request.user))
    status = 400 if context["filter_form"].errors else 200
    return render(request, "rooms/booking_slots.html", context, status=status)


@login_required
def booking_create(request, pk: int):
    slot = access.get_slot(request, pk, "rooms.book_appointment")
    for_others = request.user.has_perm("rooms.book_for_others", slot)
    if for_others:
        form = StaffBookingForm(request.POST or None, user=request.user, school=slot.school)
    else:
        form = OwnBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.appointment_book(
                actor=request.user,
                slot=slot,
                topic=data["topic"],
                for_kind=data.get("for_kind", Appointment.ForKind.STUDENT),
                student=getattr(form, "student", None),
                person_name=data.get("person_name", ""),
                contact=data.get("contact", ""),
            )
        except services.SlotTaken as taken:
            return render(
                request,
                "rooms/booking_taken.html",
                {"slot": slot, "next_slots": taken.next_slots, "form": form},
                status=409,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The appointment is booked."))
            return redirect("rooms:appointment_detail", pk=appointment.pk)
    return render(
        request,
        "rooms/booking_form.html",
        {"slot": slot, "form": form, "for_others": for_others},
        status=400 if form.errors else 200,
    )


@permission_required("rooms.book_own")
def my_bookings(request):
    appointments = selectors.own_appointments(request.user)
    page = Paginator(appointments, 20).get_page(request.GET.get("page"))
    _labelled(page.object_list)
    return render(request, "rooms/booking_list.html", {"page": page, "now": timezone.now()})


# --- the appointment book ----------------------------------------------------------------------
@permission_required("rooms.view_appointments")
def appointment_list(request):
    appointments = Appointment.objects.for_user(request.user).select_related(
        "slot__counselor", "slot__room", "student"
    )
    school = school_of(request.user)
    day = query_day(request, "day")
    if day is not None:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        appointments = appointments.filter(
            slot__starts_at__gte=start, slot__starts_at__lt=start + datetime.timedelta(days=1)
        )
    elif not request.GET.get("past"):
        today = timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(), datetime.time.min)
        )
        appointments = appointments.filter(slot__starts_at__gte=today)
    state = request.GET.get("state", "")
    if state in Appointment.State.values:
        appointments = appointments.filter(state=state)
    counselor = query_id(request, "counselor")
    if counselor is not None:
        appointments = appointments.filter(slot__counselor_id=counselor)
    order = "-slot__starts_at" if request.GET.get("past") else "slot__starts_at"
    page = Paginator(appointments.order_by(order, "pk"), 30).get_page(request.GET.get("page"))
    _labelled(page.object_list)
    return render(
        request,
        "rooms/appointment_list.html",
        {
            "page": page,
            "day": day,
            "state": state,
            "counselor": str(counselor or ""),
            "past": bool(request.GET.get("past")),
            "states": Appointment.State.choices,
            "counselors": selectors.counselors_of_school(school.pk),
            "today": timezone.localdate(),
        },
    )


@login_required
def appointment_detail(request, pk: int):
    appointment = access.get_appointment(request, pk)
    return _render_detail(request, appointment)


def _render_detail(request, appointment: Appointment, *, cancel_form=None, status: int = 200):
    user = request.user
    booked = appointment.state == Appointment.State.BOOKED
    started = appointment.slot.starts_at <= timezone.now()
    may_change = user.has_perm("rooms.change_appointment", appointment)
    may_check_in = user.has_perm("rooms.check_in", appointment)
    for_others = user.has_perm("rooms.book_for_others", appointment.slot)
    on_the_day = timezone.localtime(appointment.slot.starts_at).date() == timezone.localdate()
    _labelled([appointment])
    return render(
        request,
        "rooms/appointment_detail.html",
        {
            "appointment": appointment,
            "can_cancel": may_change and booked and (for_others or not started),
            "can_reschedule": may_change and booked and (for_others or not started),
            "can_check_in": may_check_in and booked and on_the_day,
            "can_mark_no_show": may_check_in and booked and started,
            "can_complete": may_check_in
            and started
            and appointment.state in (Appointment.State.BOOKED, Appointment.State.CHECKED_IN),
            "cancel_form": cancel_form or ReasonForm(),
            "no_show_form": OptionalReasonForm(),
        },
        status=status,
    )


@login_required
@require_POST
def appointment_cancel(request, pk: int):
    appointment = access.get_appointment(request, pk, "rooms.change_appointment")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_cancel(
                actor=request.user, appointment=appointment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The appointment is cancelled."))
            return redirect("rooms:appointment_detail", pk=appointment.pk)
    return _render_detail(request, appointment, cancel_form=form, status=400)


@login_required
def appointment_reschedule(request, pk: int):
    appointment = access.get_appointment(request, pk, "rooms.change_appointment")
    form = RescheduleForm(request.POST or None)

    def book(data: dict) -> Appointment | None:
        slot = (
            AppointmentSlot.objects.for_user(request.user)
            .filter(pk=data["slot"], school_id=appointment.school_id)
            .first()
        )
        if slot is None:
            form.add_error("slot", _("Choose one of the free times."))
            return None
        return services.appointment_reschedule(
            actor=request.user, appointment=appointment, new_slot=slot, reason=data["reason"]
        )

    return free_slot_booking(
        request,
        form=form,
        school_id=appointment.school_id,
        book=book,
        success=_("The appointment is moved."),
        template="rooms/appointment_reschedule.html",
        context={"appointment": appointment},
    )


def _state_step(request, pk: int, step) -> object:
    """One step of the door's routine (check-in, no-show, completion): one fetch through the
    kernel, which checks ``rooms.check_in`` and logs a refusal."""
    appointment = access.get_appointment(request, pk, "rooms.check_in")
    try:
        step(appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    next_url = safe_next(request, request.POST.get("next"))
    if next_url:
        return redirect(next_url)
    return redirect("rooms:appointment_detail", pk=appointment.pk)


@login_required
@require_POST
def appointment_check_in(request, pk: int):
    return _state_step(
        request,
        pk,
        lambda a: services.appointment_check_in(actor=request.user, appointment=a),
    )


@login_required
@require_POST
def appointment_no_show(request, pk: int):
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _state_step(
        request,
        pk,
        lambda a: services.appointment_mark_no_show(
            actor=request.user, appointment=a, reason=reason
        ),
    )


@login_required
@require_POST
def appointment_complete(request, pk: int):
    return _state_step(
        request,
        pk,
        lambda a: services.appointment_complete(actor=request.user, appointment=a),
    )


# --- slots -------------------------------------------------------------------------------------
def _slot_counselors(user, school_id: int):
    """Whose slots the user may publish: anyone's for the director, their own otherwise."""
    counselors = selectors.counselors_of_school(school_id)
    if user.has_role("director", school_id=school_id):
        return counselors
    return counselors.filter(pk=user.pk)


@permission_required("rooms.manage_slots")
def slot_list(request):
    school = school_of(request.user)
    slots = selectors.with_booked_count(
        AppointmentSlot.objects.for_user(request.user).filter(school=school, cancelled=False)
    ).select_related("room", "counselor")
    counselors = _slot_counselors(request.user, school.pk)
    slots = slots.filter(counselor__in=counselors)
    counselor = query_id(request, "counselor")
    if counselor is not None:
        slots = slots.filter(counselor_id=counselor)
    past = bool(request.GET.get("past"))
    now = timezone.now()
    slots = (
        slots.filter(starts_at__lt=now).order_by("-starts_at")
        if past
        else slots.filter(starts_at__gte=now).order_by("starts_at")
    )
    page = Paginator(slots, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "rooms/slot_list.html",
        {
            "page": page,
            "counselors": counselors,
            "counselor": str(counselor or ""),
            "past": past,
            "cancel_form": ReasonForm(),
        },
    )


@permission_required("rooms.manage_slots")
def slot_create(request):
    school = school_of(request.user)
    counselors = _slot_counselors(request.user, school.pk)
    form = SlotForm(request.POST or None, school_id=school.pk, counselors=counselors)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        data = form.cleaned_data
        try:
            services.slot_create(
                actor=request.user,
                room=data["room"],
                counselor=data["counselor"],
                starts_at=starts_at,
                ends_at=ends_at,
                is_group=data["is_group"],
                capacity=data["capacity"],
                topic=data["topic"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The slot is published."))
            return redirect("rooms:slot_list")
    return render(
        request, "rooms/slot_form.html", {"form": form}, status=400 if form.errors else 200
    )


@permission_required("rooms.manage_slots")
def slot_generate(request):
    school = school_of(request.user)
    counselors = _slot_counselors(request.user, school.pk)
    form = SlotGenerateForm(request.POST or None, school_id=school.pk, counselors=counselors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, skipped = services.slots_generate(
                actor=request.user,
                room=data["room"],
                counselor=data["counselor"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                weekdays=data["weekdays"],
                times=data["times"],
                minutes=data["minutes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(created)s slots published, %(skipped)s left out (clash or past).")
                % {"created": len(created), "skipped": len(skipped)},
            )
            return redirect("rooms:slot_list")
    return render(
        request,
        "rooms/slot_generate.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def slot_cancel(request, pk: int):
    slot = access.get_slot(request, pk, "rooms.withdraw_slot")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.slot_cancel(actor=request.user, slot=slot, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The slot is withdrawn; its bookings were cancelled."))
    else:
        messages.error(request, _("Give a reason."))
    return redirect("rooms:slot_list")


# --- a counselor's week ------------------------------------------------------------------------
@permission_required("rooms.view_calendar")
def appointment_calendar(request):
    school = school_of(request.user)
    counselors = selectors.counselors_of_school(school.pk)
    chosen = query_id(request, "counselor")
    counselor = counselors.filter(pk=chosen).first() if chosen else None
    if counselor is None:
        counselor = counselors.filter(pk=request.user.pk).first() or counselors.first()
    day = query_day(request, "week") or timezone.localdate()
    week = (
        selectors.counselor_week(
            counselor=counselor, school_id=school.pk, day=day, viewer=request.user
        )
        if counselor is not None
        else None
    )
    return render(
        request,
        "rooms/calendar_week.html",
        {"week": week, "counselor": counselor, "counselors": counselors},
    )
