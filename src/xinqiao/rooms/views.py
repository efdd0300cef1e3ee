"""Rooms and their weekly opening hours per semester (criterion 14 of seed 004)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.access import require
from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.people.models import School
from xinqiao.rooms import access, selectors, services
from xinqiao.rooms.forms import OpeningCopyForm, OpeningPeriodForm, RoomForm, add_service_errors
from xinqiao.rooms.models import MIN_WEEKLY_OPEN_HOURS, Room


@permission_required("rooms.view_rooms")
def room_list(request):
    """The rooms with their usual weekly hours; rooms with short weeks are flagged."""
    rooms = Room.objects.for_user(request.user).select_related("school")
    schools = School.objects.for_user(request.user).filter(pk__in=rooms.values("school_id"))
    schools = schools.order_by("name")
    school_id = query_id(request, "school")
    if school_id is not None:
        rooms = rooms.filter(school_id=school_id)
    kind = request.GET.get("kind", "")
    if kind in Room.Kind.values:
        rooms = rooms.filter(kind=kind)
    rooms = rooms.order_by("school__name", "kind", "name")
    page = Paginator(rooms, 20).get_page(request.GET.get("page"))
    school_ids = {room.school_id for room in page.object_list}
    single = next(iter(school_ids)) if len(school_ids) == 1 else None
    wanted = request.GET.get("semester")
    semester_by_school = {
        pk: selectors.pick_semester(pk, wanted if pk == single else None) for pk in school_ids
    }
    summaries = selectors.room_summaries(page.object_list, semester_by_school)
    return render(
        request,
        "rooms/room_list.html",
        {
            "page": page,
            "summaries": summaries,
            "semester_by_school": semester_by_school,
            "semesters": selectors.semesters_of(single) if single else [],
            "semester": semester_by_school.get(single) if single else None,
            "schools": schools,
            "school": school_id,
            "kinds": Room.Kind.choices,
            "kind": kind,
            "minimum": MIN_WEEKLY_OPEN_HOURS,
            "may_create": request.user.has_perm("rooms.manage_rooms"),
        },
    )


@login_required
def room_detail(request, pk: int):
    """One room: spaces, equipment, the opening periods and hours of every teaching week."""
    room = access.get_room(request, pk, "rooms.view_rooms")
    semester = selectors.pick_semester(room.school_id, request.GET.get("semester"))
    weeks, periods = [], []
    if semester is not None:
        periods = list(room.opening_periods.filter(semester=semester))
        weeks = selectors.weekly_open_hours(room=room, semester=semester, periods=periods)
    return render(
        request,
        "rooms/room_detail.html",
        {
            "room": room,
            "semester": semester,
            "semesters": selectors.semesters_of(room.school_id),
            "periods": periods,
            "weeks": weeks,
            "short_weeks": [week for week in weeks if week.short],
            "minimum": selectors.weekly_hours_target(room),
            "may_manage": request.user.has_perm("rooms.manage_rooms", room),
            "may_plan": request.user.has_perm("rooms.manage_roster", room),
        },
    )


@permission_required("rooms.manage_rooms")
def room_create(request):
    schools = selectors.schools_managed_by(request.user)
    form = RoomForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        require(request.user, "rooms.manage_rooms", data["school"])
        try:
            room = services.room_create(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The room is set up. Add its opening hours."))
            return redirect("rooms:opening_edit", pk=room.pk)
    return render(
        request, "rooms/room_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def room_edit(request, pk: int):
    room = access.get_room(request, pk, "rooms.manage_rooms")
    form = RoomForm(request.POST or None, instance=access.get_room(request, pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(actor=request.user, room=room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The room is saved."))
            return redirect("rooms:room_detail", pk=room.pk)
    return render(
        request,
        "rooms/room_form.html",
        {"form": form, "room": room},
        status=400 if form.errors else 200,
    )


@login_required
def opening_edit(request, pk: int):
    """The weekly opening periods of a room in a semester: list, add, remove, copy."""
    room = access.get_room(request, pk, "rooms.manage_rooms")
    semester = selectors.pick_semester(
        room.school_id, request.POST.get("semester") or request.GET.get("semester")
    )
    form = OpeningPeriodForm(request.POST or None, room=room, initial={"semester": semester})
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_period_add(actor=request.user, room=room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The opening period is added."))
            return redirect(f"{request.path}?semester={form.cleaned_data['semester'].pk}")
    periods = list(room.opening_periods.filter(semester=semester)) if semester is not None else []
    weeks = (
        selectors.weekly_open_hours(room=room, semester=semester, periods=periods)
        if semester is not None
        else []
    )
    return render(
        request,
        "rooms/opening_edit.html",
        {
            "room": room,
            "semester": semester,
            "semesters": selectors.semesters_of(room.school_id),
            "periods": periods,
            "form": form,
            "copy_form": OpeningCopyForm(room=room, initial={"target": semester}),
            "short_weeks": [week for week in weeks if week.short],
            "usual_hours": round(sum(p.hours for p in periods), 2),
            "minimum": selectors.weekly_hours_target(room),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def opening_copy(request, pk: int):
    room = access.get_room(request, pk, "rooms.manage_rooms")
    form = OpeningCopyForm(request.POST, room=room)
    target = None
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            copied = services.opening_periods_copy(
                actor=request.user, room=room, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)s opening period(s) copied.") % {"count": copied})
    else:
        messages.error(request, _("Choose both semesters."))
    url = reverse("rooms:opening_edit", args=[room.pk])
    return redirect(f"{url}?semester={target.pk}" if target else url)


@require_POST
@login_required
def opening_remove(request, pk: int):
    period = access.get_opening_period(request, pk, "rooms.manage_rooms")
    room, semester_id = period.room, period.semester_id
    removed = services.opening_period_remove(actor=request.user, period=period)
    messages.success(
        request,
        _("The opening period is removed, with %(count)s future duty shift(s) of it.")
        % {"count": removed},
    )
    return redirect(f"{reverse('rooms:opening_edit', args=[room.pk])}?semester={semester_id}")
