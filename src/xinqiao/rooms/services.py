"""State changes of rooms, opening hours, the duty roster, leave and duty logs.

Seed 000 (duty staff rules): be on duty at the set time, answer calls, register appointments
and keep the day's duty record; leave is asked in advance and takes effect only once the room's
head (the director) approves it. Seed 004, criterion 14: open at least 10 hours a week, complete
duty records.

Each service checks the actor's permission itself, so that every caller (view, API, command)
gets the same answer; it runs in one transaction; the change history (django-auditlog) records
every save of the tracked models, and notifications are created in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.people.models import School, Semester
from xinqiao.rooms import selectors
from xinqiao.rooms.models import (
    DutyLog,
    DutyPattern,
    DutyShift,
    LeaveRequest,
    OpeningPeriod,
    Room,
)


def _require(actor: User, perm: str, obj=None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied


def _hm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def _describe(shift: DutyShift) -> str:
    return f"{shift.room.name} {shift.date:%Y-%m-%d} {_hm(shift.starts_at)}–{_hm(shift.ends_at)}"


# --- rooms -------------------------------------------------------------------------------------
def _check_room_name(*, school_id: int, name: str, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the room a name.")})
    others = Room.objects.filter(school_id=school_id, name=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": _("The school already has a room of that name.")})
    return name


def room_create(
    *,
    actor: User,
    school: School,
    kind: str,
    name: str,
    location: str = "",
    spaces: str = "",
    equipment: str = "",
    capacity: int = 1,
    is_active: bool = True,
) -> Room:
    _require(actor, "rooms.manage_rooms", school)
    if kind not in Room.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of room.")})
    name = _check_room_name(school_id=school.pk, name=name)
    try:
        with transaction.atomic():
            return Room.objects.create(
                school=school,
                kind=kind,
                name=name,
                location=location.strip(),
                spaces=spaces.strip(),
                equipment=equipment.strip(),
                capacity=capacity,
                is_active=is_active,
            )
    except IntegrityError:  # the same name submitted twice at once
        raise ValidationError({"name": _("The school already has a room of that name.")}) from None


def room_update(
    *,
    actor: User,
    room: Room,
    kind: str,
    name: str,
    location: str = "",
    spaces: str = "",
    equipment: str = "",
    capacity: int = 1,
    is_active: bool = True,
) -> Room:
    _require(actor, "rooms.manage_rooms", room)
    if kind not in Room.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of room.")})
    room.name = _check_room_name(school_id=room.school_id, name=name, exclude_pk=room.pk)
    room.kind = kind
    room.location = location.strip()
    room.spaces = spaces.strip()
    room.equipment = equipment.strip()
    room.capacity = capacity
    room.is_active = is_active
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError:
        raise ValidationError({"name": _("The school already has a room of that name.")}) from None
    return room


# --- opening periods ---------------------------------------------------------------------------
def _check_semester(room: Room, semester: Semester) -> None:
    if semester.school_id != room.school_id:
        raise ValidationError({"semester": _("The semester is not one of the room's school.")})


def opening_period_add(
    *,
    actor: User,
    room: Room,
    semester: Semester,
    weekday: int,
    starts_at: datetime.time,
    ends_at: datetime.time,
) -> OpeningPeriod:
    """Add a weekly opening period; periods of one room on one weekday may not overlap."""
    _require(actor, "rooms.manage_rooms", room)
    _check_semester(room, semester)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The period must end after it starts.")})
    with transaction.atomic():
        Room.objects.select_for_update().get(pk=room.pk)
        clash = OpeningPeriod.objects.filter(
            room=room,
            semester=semester,
            weekday=weekday,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).first()
        if clash is not None:
            raise ValidationError(
                {"starts_at": _("It overlaps the period %(period)s.") % {"period": clash}}
            )
        return OpeningPeriod.objects.create(
            room=room, semester=semester, weekday=weekday, starts_at=starts_at, ends_at=ends_at
        )


def _untouched_pattern_shifts(queryset):
    """Generated shifts nobody has changed or written about: safe to remove or regenerate."""
    return queryset.filter(
        origin=DutyShift.Origin.PATTERN, log__isnull=True, leave_requests__isnull=True
    )


def opening_period_remove(*, actor: User, period: OpeningPeriod) -> int:
    """Remove an opening period and its future generated shifts; shifts that were changed, have
    leave requests or a log stay (they are records). Returns how many shifts were removed."""
    room = period.room
    _require(actor, "rooms.manage_rooms", room)
    today = timezone.localdate()
    with transaction.atomic():
        doomed = _untouched_pattern_shifts(period.shifts.filter(date__gte=today))
        removed = 0
        for shift in doomed.distinct():
            shift.delete()
            removed += 1
        period.delete()
    return removed


def opening_periods_copy(*, actor: User, room: Room, source: Semester, target: Semester) -> int:
    """Copy a room's weekly opening periods from one semester to another (those not clashing)."""
    _require(actor, "rooms.manage_rooms", room)
    _check_semester(room, source)
    _check_semester(room, target)
    if source.pk == target.pk:
        raise ValidationError({"source": _("Choose another semester to copy from.")})
    copied = 0
    with transaction.atomic():
        Room.objects.select_for_update().get(pk=room.pk)
        existing = list(OpeningPeriod.objects.filter(room=room, semester=target))
        for period in OpeningPeriod.objects.filter(room=room, semester=source):
            clashes = any(
                other.weekday == period.weekday
                and other.starts_at < period.ends_at
                and other.ends_at > period.starts_at
                for other in existing
            )
            if clashes:
                continue
            existing.append(
                OpeningPeriod.objects.create(
                    room=room,
                    semester=target,
                    weekday=period.weekday,
                    starts_at=period.starts_at,
                    ends_at=period.ends_at,
                )
            )
            copied += 1
    return copied


# --- the roster --------------------------------------------------------------------------------
def _check_may_hold_shifts(user: User, school_id: int) -> None:
    if not selectors.duty_staff_of(school_id).filter(pk=user.pk).exists():
        raise ValidationError(
            _("%(name)s holds no duty, counselor or director role at this school.")
            % {"name": user.display_name}
        )


def roster_plan_save(
    *, actor: User, room: Room, semester: Semester, plan: Mapping[int, User | None]
) -> int:
    """Set who is on duty in each weekly opening period (``plan``: period id → person or None).

    A person cannot be planned in two overlapping periods of one weekday (in any room of the
    school). Returns how many periods changed.
    """
    _require(actor, "rooms.manage_roster", room)
    _check_semester(room, semester)
    with transaction.atomic():
        Room.objects.select_for_update().get(pk=room.pk)
        periods = {p.pk: p for p in selectors.plan_of(room=room, semester=semester)}
        unknown = set(plan) - set(periods)
        if unknown:
            raise ValidationError(_("An opening period of the plan is not one of this room."))
        for user in {u for u in plan.values() if u is not None}:
            _check_may_hold_shifts(user, room.school_id)
        # Everyone's weekly periods in the school's rooms this semester, after the change.
        school_periods = list(
            OpeningPeriod.objects.filter(room__school_id=room.school_id, semester=semester)
            .exclude(pk__in=list(plan))
            .prefetch_related("patterns")
            .select_related("room")
        )
        planned: list[tuple[OpeningPeriod, int]] = [
            (p, pattern.user_id) for p in school_periods for pattern in p.patterns.all()
        ]
        planned += [(periods[pk], user.pk) for pk, user in plan.items() if user is not None]
        for index, (first, first_user) in enumerate(planned):
            for second, second_user in planned[index + 1 :]:
                if (
                    first_user == second_user
                    and first.weekday == second.weekday
                    and first.starts_at < second.ends_at
                    and second.starts_at < first.ends_at
                ):
                    person = User.objects.get(pk=first_user)
                    raise ValidationError(
                        _(
                            "%(name)s would be on duty twice at once: %(first)s (%(room1)s) "
                            "and %(second)s (%(room2)s)."
                        )
                        % {
                            "name": person.display_name,
                            "first": first,
                            "room1": first.room.name,
                            "second": second,
                            "room2": second.room.name,
                        }
                    )
        changed = 0
        for pk, user in plan.items():
            period = periods[pk]
            before = period.planned
            if (before.pk if before else None) == (user.pk if user else None):
                continue
            DutyPattern.objects.filter(period=period).delete()
            if user is not None:
                DutyPattern.objects.create(period=period, user=user)
            # DutyPattern is not in the tracked models: write its history row on the period.
            LogEntry.objects.log_create(
                period,
                force_log=True,
                action=LogEntry.Action.UPDATE,
                changes={"on duty": [str(before or ""), str(user or "")]},
                actor=actor,
            )
            changed += 1
    return changed


@dataclass
class RosterChanges:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0
    gaps: list[DutyShift] = field(default_factory=list)


def roster_generate(
    *,
    actor: User,
    room: Room,
    semester: Semester,
    since: datetime.date | None = None,
) -> RosterChanges:
    """Create the semester's shifts of ``room`` from the weekly plan, from ``since`` (today).

    Idempotent: running it again changes only what the plan changed. Holidays get no shift.
    Shifts changed by the director or a substitute, and shifts with a log or a leave request,
    are kept as they are. Days already past are not generated (they would only show as
    missing logs). A planned person who already holds a shift starting at the same time
    elsewhere leaves a gap instead.
    """
    _require(actor, "rooms.manage_roster", room)
    _check_semester(room, semester)
    since = max(semester.starts_on, since or timezone.localdate())
    changes = RosterChanges()
    with transaction.atomic():
        Room.objects.select_for_update().get(pk=room.pk)
        wanted: dict[tuple[datetime.date, datetime.time], tuple[OpeningPeriod, User | None]] = {}
        periods = selectors.plan_of(room=room, semester=semester)
        days = list(selectors.open_days(semester, since=since))
        for period in periods:
            for day in days:
                if day.weekday() == period.weekday:
                    wanted[(day, period.starts_at)] = (period, period.planned)
        existing = {
            (s.date, s.starts_at): s
            for s in DutyShift.objects.select_for_update().filter(
                room=room, semester=semester, date__gte=since
            )
        }
        untouched = set(
            _untouched_pattern_shifts(
                DutyShift.objects.filter(room=room, semester=semester, date__gte=since)
            ).values_list("pk", flat=True)
        )
        busy = set(
            DutyShift.objects.filter(
                date__gte=since, date__lte=semester.ends_on, user__isnull=False
            )
            .exclude(room=room)
            .values_list("user_id", "date", "starts_at")
        )
        for key, (period, user) in sorted(wanted.items(), key=lambda item: item[0]):
            day, starts_at = key
            if user is not None and (user.pk, day, starts_at) in busy:
                user = None
            shift = existing.pop(key, None)
            if shift is None:
                shift = DutyShift.objects.create(
                    school_id=room.school_id,
                    room=room,
                    semester=semester,
                    period=period,
                    date=day,
                    starts_at=starts_at,
                    ends_at=period.ends_at,
                    user=user,
                )
                changes.created += 1
            elif shift.pk in untouched and (
                shift.user_id != (user.pk if user else None)
                or shift.ends_at != period.ends_at
                or shift.period_id != period.pk
            ):
                shift.user, shift.ends_at, shift.period = user, period.ends_at, period
                shift.save(update_fields=["user", "ends_at", "period"])
                changes.updated += 1
            elif shift.pk not in untouched:
                changes.kept += 1
            if shift.user_id is None:
                changes.gaps.append(shift)
        # Shifts the plan no longer has (a period removed or moved, a new holiday).
        for shift in existing.values():
            if shift.pk in untouched:
                shift.delete()
                changes.removed += 1
            else:
                changes.kept += 1
    return changes


@dataclass
class PublishResult:
    published: int
    short_weeks: list[selectors.WeekHours]


def roster_publish(*, actor: User, room: Room, semester: Semester) -> PublishResult:
    """Publish the room's roster of the semester: staff see it and their own duties.

    When the room is open fewer hours than criterion 14 asks in some teaching week, the
    school's director(s) get an in-app warning at once.
    """
    _require(actor, "rooms.manage_roster", room)
    _check_semester(room, semester)
    with transaction.atomic():
        drafts = DutyShift.objects.select_for_update().filter(
            room=room, semester=semester, published=False
        )
        people = set(drafts.filter(user__isnull=False).values_list("user_id", flat=True))
        published = drafts.update(published=True)
        short = selectors.short_weeks(room=room, semester=semester)
        if short:
            notify(
                recipients=selectors.directors_of(room.school_id),
                title=_("%(room)s is open too few hours in %(count)s week(s)")
                % {"room": room.name, "count": len(short)},
                body=_("Weeks %(weeks)s are short of %(hours)s open hours a week.")
                % {
                    "weeks": ", ".join(str(week.week) for week in short),
                    "hours": selectors.MIN_WEEKLY_OPEN_HOURS,
                },
                url=reverse("rooms:room_detail", args=[room.pk]) + f"?semester={semester.pk}",
                level=Notification.Level.ACTION,
                school_id=room.school_id,
            )
        if people:
            notify(
                recipients=User.objects.filter(pk__in=people),
                title=_("The duty roster of %(room)s is published") % {"room": room.name},
                body=_("See your duties and ask for leave in advance if you cannot come."),
                url=reverse("rooms:my_duties"),
                school_id=room.school_id,
            )
    return PublishResult(published=published, short_weeks=short)


def _check_free(user: User, shift: DutyShift) -> None:
    if not selectors.free_people(shift=shift).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "user": _(
                    "%(name)s is not free then: another duty or approved leave at that time, "
                    "or no duty role at this school."
                )
                % {"name": user.display_name}
            }
        )


def shift_assign(*, actor: User, shift: DutyShift, user: User | None) -> DutyShift:
    """Change who is on one shift (an exception to the weekly plan), or leave it empty."""
    _require(actor, "rooms.manage_roster", shift)
    with transaction.atomic():
        shift = DutyShift.objects.select_for_update().select_related("room").get(pk=shift.pk)
        if DutyLog.objects.filter(shift=shift).exists():
            raise ValidationError(_("This duty has its log already; it cannot change hands."))
        previous = shift.user
        if (previous.pk if previous else None) == (user.pk if user else None):
            return shift
        if user is not None:
            _check_free(user, shift)
        shift.user = user
        shift.origin = DutyShift.Origin.EXCEPTION
        try:
            with transaction.atomic():
                shift.save(update_fields=["user", "origin"])
        except IntegrityError:
            raise ValidationError(
                {"user": _("%(name)s is on another duty at that time.") % {"name": user}}
            ) from None
        if shift.published:
            if user is not None:
                notify(
                    recipients=[user],
                    title=_("You are on duty: %(shift)s") % {"shift": _describe(shift)},
                    url=reverse("rooms:my_duties"),
                    school_id=shift.school_id,
                )
            if previous is not None:
                notify(
                    recipients=[previous],
                    title=_("You are no longer on duty: %(shift)s") % {"shift": _describe(shift)},
                    url=reverse("rooms:my_duties"),
                    school_id=shift.school_id,
                )
    return shift


# --- leave -------------------------------------------------------------------------------------
def _leave_url(leave: LeaveRequest) -> str:
    return reverse("rooms:leave_detail", args=[leave.pk])


def has_open_leave_request(*, shift: DutyShift, requester: User) -> bool:
    return LeaveRequest.objects.filter(
        shift=shift, requester=requester, state=LeaveRequest.State.REQUESTED
    ).exists()


def leave_request(*, actor: User, shift: DutyShift, reason: str) -> LeaveRequest:
    """Ask for leave from one's own published, future shift (seed 000: in advance).

    The shift keeps its person until the director approves. A second open request for the same
    shift is refused, also when two arrive at the same instant (a database constraint).
    """
    _require(actor, "rooms.request_leave", shift)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you cannot be on duty.")})
    if not shift.published:
        raise ValidationError(_("This duty is not on the published roster."))
    if shift.starts <= timezone.now():
        raise ValidationError(_("Leave is asked before the duty starts."))
    already = _("You have already asked for leave for this duty; the director has not decided yet.")
    if has_open_leave_request(shift=shift, requester=actor):
        raise ValidationError(already)
    try:
        with transaction.atomic():
            leave = LeaveRequest.objects.create(shift=shift, requester=actor, reason=reason)
            notify(
                recipients=selectors.directors_of(shift.school_id),
                title=_("%(name)s asks for leave: %(shift)s")
                % {"name": actor.display_name, "shift": _describe(shift)},
                url=_leave_url(leave),
                level=Notification.Level.ACTION,
                school_id=shift.school_id,
            )
    except IntegrityError:  # the same request sent twice at once: the constraint keeps one
        raise ValidationError(already) from None
    return leave


def _locked_leave(leave: LeaveRequest) -> LeaveRequest:
    return (
        LeaveRequest.objects.select_for_update()
        .select_related("shift__room", "requester")
        .get(pk=leave.pk)
    )


def leave_withdraw(*, actor: User, leave: LeaveRequest) -> LeaveRequest:
    with transaction.atomic():
        leave = _locked_leave(leave)
        if leave.requester_id != actor.pk:
            raise PermissionDenied
        if leave.state != LeaveRequest.State.REQUESTED:
            raise ValidationError(
                _("Only a request still waiting for a decision can be withdrawn.")
            )
        leave.state = LeaveRequest.State.WITHDRAWN
        leave.decided_at = timezone.now()
        leave.save(update_fields=["state", "decided_at"])
    return leave


def leave_decide(
    *, actor: User, leave: LeaveRequest, approve: bool, note: str = ""
) -> LeaveRequest:
    """The director approves or refuses a leave request (a refusal says why).

    Only an approval takes effect: the shift loses its person and shows as a gap, to be
    filled with a substitute.
    """
    _require(actor, "rooms.decide_leave", leave)
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the leave is refused.")})
    with transaction.atomic():
        leave = _locked_leave(leave)
        if leave.state != LeaveRequest.State.REQUESTED:
            raise ValidationError(_("This request has been decided or withdrawn already."))
        leave.state = LeaveRequest.State.APPROVED if approve else LeaveRequest.State.REFUSED
        leave.decided_by = actor
        leave.decided_at = timezone.now()
        leave.decision_note = note
        leave.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        shift = DutyShift.objects.select_for_update().get(pk=leave.shift_id)
        if approve and shift.user_id == leave.requester_id:
            shift.user = None
            # Not a pattern shift any more: regenerating the roster must not undo the leave.
            shift.origin = DutyShift.Origin.EXCEPTION
            shift.save(update_fields=["user", "origin"])
        title = (_("Leave approved: %(shift)s") if approve else _("Leave refused: %(shift)s")) % {
            "shift": _describe(leave.shift)
        }
        notify(
            recipients=[leave.requester],
            title=title,
            body=note[:500],
            url=_leave_url(leave),
            school_id=shift.school_id,
        )
    return leave


def leave_assign_substitute(*, actor: User, leave: LeaveRequest, substitute: User) -> LeaveRequest:
    """Fill the gap an approved leave left with a person who is free at that time."""
    _require(actor, "rooms.decide_leave", leave)
    with transaction.atomic():
        leave = _locked_leave(leave)
        if leave.state != LeaveRequest.State.APPROVED:
            raise ValidationError(_("A substitute is assigned once the leave is approved."))
        shift = DutyShift.objects.select_for_update().select_related("room").get(pk=leave.shift_id)
        if shift.user_id is not None and shift.user_id != leave.substitute_id:
            raise ValidationError(_("Someone else is on this duty already."))
        if DutyLog.objects.filter(shift=shift).exists():
            raise ValidationError(_("This duty has its log already; it cannot change hands."))
        previous = leave.substitute
        shift.user = None  # a change of substitute: the earlier one is free again
        _check_free(substitute, shift)
        shift.user = substitute
        shift.origin = DutyShift.Origin.SUBSTITUTE
        try:
            with transaction.atomic():
                shift.save(update_fields=["user", "origin"])
        except IntegrityError:
            raise ValidationError(
                {"user": _("%(name)s is on another duty at that time.") % {"name": substitute}}
            ) from None
        leave.substitute = substitute
        leave.save(update_fields=["substitute"])
        notify(
            recipients=[substitute],
            title=_("You stand in on duty: %(shift)s") % {"shift": _describe(shift)},
            url=reverse("rooms:my_duties"),
            level=Notification.Level.ACTION,
            school_id=shift.school_id,
        )
        notify(
            recipients=[leave.requester],
            title=_("%(name)s stands in for you: %(shift)s")
            % {"name": substitute.display_name, "shift": _describe(shift)},
            url=_leave_url(leave),
            school_id=shift.school_id,
        )
        if previous is not None and previous.pk != substitute.pk:
            notify(
                recipients=[previous],
                title=_("You no longer stand in on duty: %(shift)s") % {"shift": _describe(shift)},
                url=reverse("rooms:my_duties"),
                school_id=shift.school_id,
            )
    return leave


# --- the duty log ------------------------------------------------------------------------------
def duty_log_write(
    *,
    actor: User,
    shift: DutyShift,
    arrived_at: datetime.time,
    calls_received: int = 0,
    visitors: int = 0,
    appointments_registered: int = 0,
    unusual: str = "",
    handover: str = "",
) -> DutyLog:
    """The duty record (值班记录) of one's own shift, once, from the moment it starts."""
    _require(actor, "rooms.write_duty_log", shift)
    if shift.starts > timezone.now():
        raise ValidationError(_("The duty has not started yet; write its log during or after it."))
    if min(calls_received, visitors, appointments_registered) < 0:
        raise ValidationError(_("Counts cannot be negative."))
    written = _("This duty has its log already.")
    if DutyLog.objects.filter(shift=shift).exists():
        raise ValidationError(written)
    try:
        with transaction.atomic():
            return DutyLog.objects.create(
                shift=shift,
                written_by=actor,
                arrived_at=arrived_at,
                calls_received=calls_received,
                visitors=visitors,
                appointments_registered=appointments_registered,
                unusual=unusual.strip(),
                handover=handover.strip(),
            )
    except IntegrityError:  # sent twice at once: one log per shift (OneToOne)
        raise ValidationError(written) from None
