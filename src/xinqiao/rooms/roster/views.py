"""The duty roster: the director's weekly plan, generation, publishing and single changes; the
published week for staff, its .xlsx for the door, and each person's own duties."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import download
from xinqiao.core.params import query_id
from xinqiao.core.roles import Role
from xinqiao.core.xlsx import XLSX_CONTENT_TYPE
from xinqiao.people.models import Semester
from xinqiao.rooms import access
from xinqiao.rooms.forms import add_service_errors
from xinqiao.rooms.leave.selectors import own_leave_requests
from xinqiao.rooms.models import DUTY_HOLDER_ROLES, DutyShift, Room
from xinqiao.rooms.roster import export, selectors, services
from xinqiao.rooms.roster.forms import RosterPlanForm, ShiftAssignForm
from xinqiao.rooms.selectors import (
    pick_school,
    pick_semester,
    pick_week,
    schools_list,
    semesters_of,
    short_weeks,
)


def _week_context(request, roles) -> dict | None:
    """School, semester, week and room chosen by the GET filters (None: nothing to show)."""
    school = pick_school(request.user, roles, request.GET.get("school"))
    if school is None:
        return None
    semester = pick_semester(school.pk, request.GET.get("semester"))
    school_rooms = Room.objects.for_user(request.user).filter(school=school, is_active=True)
    rooms = school_rooms.order_by("kind", "name")
    room_id = query_id(request, "room")
    if room_id is not None:
        rooms = rooms.filter(pk=room_id)
    context = {
        "school": school,
        "schools": schools_list(request.user, roles),
        "semester": semester,
        "semesters": semesters_of(school.pk),
        "rooms": rooms,
        "all_rooms": school_rooms.order_by("kind", "name"),
        "room_id": str(room_id or ""),
    }
    if semester is not None:
        week = pick_week(semester, request.GET.get("week"))
        context.update(week=week, weeks=range(1, semester.week_count + 1))
    return context


@permission_required("rooms.view_roster")
def roster(request):
    """One teaching week of the roster: the director sees drafts, gaps and double bookings;
    others see the published roster."""
    context = _week_context(request, DUTY_HOLDER_ROLES) or {}
    semester = context.get("semester")
    may_manage = "school" in context and request.user.has_perm(
        "rooms.manage_roster", context["school"]
    )
    if semester is not None:
        shifts = DutyShift.objects.for_user(request.user).filter(school=context["school"])
        context["room_weeks"] = selectors.week_roster(
            shifts=shifts, rooms=context["rooms"], semester=semester, week=context["week"]
        )
        context["monday"], context["sunday"] = semester.week_dates(context["week"])
    context["may_manage"] = may_manage
    return render(request, "rooms/roster.html", context)


@permission_required("rooms.view_roster")
def roster_export_view(request):
    """The published week as .xlsx (one sheet per room) to print on the door."""
    context = _week_context(request, DUTY_HOLDER_ROLES)
    if context is None or context.get("semester") is None:
        messages.error(request, _("There is no semester to export."))
        return redirect("rooms:roster")
    semester, week = context["semester"], context["week"]
    shifts = (
        DutyShift.objects.for_user(request.user)
        .filter(school=context["school"])
        .filter(published=True)
    )
    room_weeks = selectors.week_roster(
        shifts=shifts, rooms=context["rooms"], semester=semester, week=week
    )
    content = export.roster_workbook(
        school=context["school"], semester=semester, week=week, room_weeks=room_weeks
    )
    filename = _("Duty roster-%(semester)s-week %(week)s.xlsx") % {
        "semester": semester,
        "week": week,
    }
    return download(content, content_type=XLSX_CONTENT_TYPE, filename=filename)


@permission_required("rooms.manage_roster")
def roster_issues(request):
    """Gaps (no one on duty) and double bookings (one person, overlapping shifts)."""
    context = _week_context(request, {Role.DIRECTOR}) or {}
    semester = context.get("semester")
    show = "double" if request.GET.get("show") == "double" else "gaps"
    page = None
    if semester is not None:
        shifts = DutyShift.objects.for_user(request.user).filter(
            school=context["school"], semester=semester, room__in=context["rooms"]
        )
        if request.GET.get("past") != "1":
            shifts = shifts.filter(date__gte=timezone.localdate())
        if show == "double":
            shifts = selectors.double_bookings(shifts)
        else:
            shifts = selectors.roster_gaps(shifts)
        shifts = shifts.select_related("room", "user").order_by("date", "starts_at", "room")
        page = Paginator(shifts, 30).get_page(request.GET.get("page"))
        if show == "double":
            for shift in page.object_list:
                shift.clashes = selectors.clashes_of(shift)
    context.update(page=page, show=show, past=request.GET.get("past") == "1")
    return render(request, "rooms/roster_issues.html", context)


@login_required
def roster_plan(request, room_pk: int):
    """Who is on duty in each weekly opening period of the room; generate and publish."""
    room = access.get_room(request, room_pk, "rooms.manage_roster")
    semester = pick_semester(
        room.school_id, request.POST.get("semester") or request.GET.get("semester")
    )
    form = None
    if semester is not None:
        periods = selectors.plan_of(room=room, semester=semester)
        form = RosterPlanForm(
            request.POST or None, periods=periods, people=selectors.duty_staff_of(room.school_id)
        )
        if request.method == "POST" and form.is_valid():
            try:
                changed = services.roster_plan_save(
                    actor=request.user, room=room, semester=semester, plan=form.plan()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The plan is saved (%(count)s period(s) changed). Generate the shifts "
                        "to apply it."
                    )
                    % {"count": changed},
                )
                return redirect(f"{request.path}?semester={semester.pk}")
    return render(
        request,
        "rooms/roster_plan.html",
        {
            "room": room,
            "semester": semester,
            "semesters": semesters_of(room.school_id),
            "form": form,
            "state": selectors.roster_state(room=room, semester=semester) if semester else None,
            "short_weeks": short_weeks(room=room, semester=semester) if semester else [],
        },
        status=400 if form is not None and form.errors else 200,
    )


def _plan_url(room: Room, semester_id) -> str:
    return f"{reverse('rooms:roster_plan', args=[room.pk])}?semester={semester_id}"


def _plan_step(request, room_pk: int, act):
    """Run ``act(room, semester)`` on the room and the semester the plan page posted (``act``
    says how it went in messages), then go back to the plan."""
    room = access.get_room(request, room_pk, "rooms.manage_roster")
    semester = pick_semester(room.school_id, request.POST.get("semester"))
    if semester is None:
        messages.error(request, _("The school has no semester yet."))
        return redirect("rooms:roster_plan", room_pk=room.pk)
    act(room, semester)
    return redirect(_plan_url(room, semester.pk))


@require_POST
@login_required
def roster_generate(request, room_pk: int):
    def generate(room: Room, semester: Semester) -> None:
        changes = services.roster_generate(actor=request.user, room=room, semester=semester)
        messages.success(
            request,
            _(
                "Shifts generated: %(created)s new, %(updated)s changed, %(removed)s removed, "
                "%(kept)s kept as changed by hand; %(gaps)s without anyone on duty."
            )
            % {
                "created": changes.created,
                "updated": changes.updated,
                "removed": changes.removed,
                "kept": changes.kept,
                "gaps": len(changes.gaps),
            },
        )

    return _plan_step(request, room_pk, generate)


@require_POST
@login_required
def roster_publish(request, room_pk: int):
    def publish(room: Room, semester: Semester) -> None:
        result = services.roster_publish(actor=request.user, room=room, semester=semester)
        messages.success(request, _("%(count)s shift(s) published.") % {"count": result.published})
        if result.short_weeks:
            messages.warning(
                request,
                _("The room is open too few hours in teaching week(s) %(weeks)s.")
                % {"weeks": ", ".join(str(w.week) for w in result.short_weeks)},
            )

    return _plan_step(request, room_pk, publish)


@login_required
def shift_edit(request, pk: int):
    """Change who is on one shift (an exception to the weekly plan)."""
    shift = access.get_shift(request, pk, "rooms.manage_roster")
    people = selectors.free_people(shift=shift)
    form = ShiftAssignForm(request.POST or None, people=people, initial={"user": shift.user})
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_assign(actor=request.user, shift=shift, user=form.cleaned_data["user"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The duty is changed."))
            return redirect(_roster_url(shift))
    leaves = shift.leave_requests.select_related("requester", "substitute").order_by(
        "-requested_at"
    )
    return render(
        request,
        "rooms/roster_shift.html",
        {"shift": shift, "form": form, "people": people, "leaves": leaves},
        status=400 if form.errors else 200,
    )


def _roster_url(shift: DutyShift) -> str:
    week = shift.semester.week_of(shift.date) or 1
    return (
        f"{reverse('rooms:roster')}?school={shift.school_id}&semester={shift.semester_id}"
        f"&week={week}"
    )


@permission_required("rooms.view_own_duties")
def my_duties(request):
    """The person's own published duties, with leave and log links; recent duties without a
    log come first so nothing is forgotten."""
    today = timezone.localdate()
    upcoming = selectors.own_shifts(request.user, since=today)
    page = Paginator(upcoming, 20).get_page(request.GET.get("page"))
    recent_missing = selectors.duty_logs_missing(request.user, today)[:10]
    leaves = own_leave_requests(request.user)[:10]
    now = timezone.now()
    for shift in page.object_list:
        shift.is_future = shift.starts > now
    return render(
        request,
        "rooms/roster_my_duties.html",
        {"page": page, "recent_missing": recent_missing, "leaves": leaves},
    )
