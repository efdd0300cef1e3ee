"""The duty log (值班记录, seed 000; criterion 14 of seed 004 asks for complete records): each
person writes the log of their own shift; the director and the supervision group see the logs
and the shifts still without one. The "anything unusual" text is the director's only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.access import record_read
from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.core.roles import Role
from xinqiao.rooms import access
from xinqiao.rooms.duty_log import selectors, services
from xinqiao.rooms.duty_log.forms import DutyLogForm
from xinqiao.rooms.forms import add_service_errors
from xinqiao.rooms.models import DutyLog, DutyShift, Room
from xinqiao.rooms.selectors import pick_school, pick_semester, schools_list, semesters_of

LOG_READERS = frozenset({Role.DIRECTOR, Role.SUPERVISOR})


@login_required
def duty_log_write(request, pk: int):
    shift = access.get_shift(request, pk, "rooms.write_duty_log")
    existing = DutyLog.objects.for_user(request.user).filter(shift=shift).first()
    if existing is not None:
        messages.info(request, _("This duty has its log already."))
        return redirect("rooms:duty_log_detail", pk=existing.pk)
    form = DutyLogForm(request.POST or None, initial=selectors.duty_log_defaults(shift))
    if request.method == "POST" and form.is_valid():
        try:
            log = services.duty_log_write(actor=request.user, shift=shift, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The duty log is saved."))
            return redirect("rooms:duty_log_detail", pk=log.pk)
    return render(
        request,
        "rooms/duty_log_form.html",
        {"shift": shift, "form": form, "not_started": shift.starts > timezone.now()},
        status=400 if form.errors else 200,
    )


def _filters(request) -> dict:
    """School, semester, week (optional) and room filters of the two lists."""
    school = pick_school(request.user, LOG_READERS, request.GET.get("school"))
    if school is None:
        return {}
    semester = pick_semester(school.pk, request.GET.get("semester"))
    week = None
    wanted = query_id(request, "week")
    if semester is not None and wanted is not None and wanted <= semester.week_count:
        week = wanted
    all_rooms = Room.objects.for_user(request.user).filter(school=school).order_by("kind", "name")
    return {
        "school": school,
        "schools": schools_list(request.user, LOG_READERS),
        "semester": semester,
        "semesters": semesters_of(school.pk),
        "week": week,
        "weeks": range(1, semester.week_count + 1) if semester else [],
        "show_all_weeks": True,
        "all_rooms": all_rooms,
        "room_id": str(query_id(request, "room") or ""),
    }


def _filter_shifts(queryset, context: dict, prefix: str = ""):
    semester = context.get("semester")
    if semester is None:
        return queryset.none()
    queryset = queryset.filter(**{f"{prefix}semester": semester})
    if context["week"]:
        monday, sunday = semester.week_dates(context["week"])
        queryset = queryset.filter(**{f"{prefix}date__gte": monday, f"{prefix}date__lte": sunday})
    if context["room_id"]:
        queryset = queryset.filter(**{f"{prefix}room_id": int(context["room_id"])})
    return queryset


@permission_required("rooms.view_duty_logs")
def duty_log_list(request):
    context = _filters(request)
    logs = DutyLog.objects.none()
    if context:
        logs = _filter_shifts(
            DutyLog.objects.for_user(request.user).filter(shift__school=context["school"]),
            context,
            prefix="shift__",
        )
    logs = logs.select_related("shift__room", "written_by").order_by(
        "-shift__date", "-shift__starts_at"
    )
    page = Paginator(logs, 30).get_page(request.GET.get("page"))
    context.update(
        page=page,
        may_read_unusual=request.user.has_perm(
            "rooms.view_duty_log_unusual", context.get("school")
        ),
    )
    return render(request, "rooms/duty_log_list.html", context)


@permission_required("rooms.view_duty_logs")
def duty_log_missing(request):
    """Shifts over, with someone on duty, and no log: what the records still lack."""
    context = _filters(request)
    shifts = DutyShift.objects.none()
    if context:
        shifts = _filter_shifts(selectors.missing_logs(school_ids=[context["school"].pk]), context)
    page = Paginator(shifts, 30).get_page(request.GET.get("page"))
    for shift in page.object_list:
        shift.week = context["semester"].week_of(shift.date)
    context.update(page=page)
    return render(request, "rooms/duty_log_missing.html", context)


@login_required
def duty_log_detail(request, pk: int):
    log = access.get_duty_log(request, pk, "rooms.view_duty_log")
    unusual = None
    if request.user.has_perm("rooms.view_duty_log_unusual", log) and log.unusual:
        # The encrypted text is the director's only, and every read of it is recorded.
        record_read(
            request,
            log,
            basis="director of the school: duty log, anything unusual",
            school_id=log.shift.school_id,
        )
        unusual = log.unusual
    return render(
        request,
        "rooms/duty_log_detail.html",
        {
            "log": log,
            "shift": log.shift,
            "unusual": unusual,
            "has_unusual": bool(log.unusual),
            "may_read_unusual": request.user.has_perm("rooms.view_duty_log_unusual", log),
        },
    )
