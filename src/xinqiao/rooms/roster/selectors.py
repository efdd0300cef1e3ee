"""Reads of the duty roster: shifts (drafts for the director, the published roster for those
who hold shifts), double bookings and gaps, the week's grid, the weekly plan and one's own
duties."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from xinqiao.core.models import User
from xinqiao.people.models import RoleAssignment, Semester
from xinqiao.rooms.models import (
    DUTY_HOLDER_ROLES,
    DutyLog,
    DutyPattern,
    DutyShift,
    LeaveRequest,
    OpeningPeriod,
    Room,
)
from xinqiao.rooms.selectors import holiday_dates, signed_in


def duty_staff_of(school_id: int) -> QuerySet[User]:
    """Who can hold a shift in a school: its duty staff, counselors and director(s)."""
    holders = RoleAssignment.objects.in_force().filter(
        school_id=school_id, role__in=sorted(DUTY_HOLDER_ROLES)
    )
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )


def overlapping_q(*, date: datetime.date, starts_at: datetime.time, ends_at: datetime.time) -> Q:
    return Q(date=date, starts_at__lt=ends_at, ends_at__gt=starts_at)


def with_double_booking(queryset: QuerySet[DutyShift]) -> QuerySet[DutyShift]:
    """Annotate ``double_booked``: the same person holds another shift overlapping this one
    (in any room, of any school). Identical start times are refused by the database; shifts
    starting at different times but overlapping are only found here."""
    other = DutyShift.objects.filter(
        user_id=OuterRef("user_id"),
        date=OuterRef("date"),
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    ).exclude(pk=OuterRef("pk"))
    # A gap (no user) never matches: NULL equals nothing in SQL.
    return queryset.annotate(double_booked=Exists(other))


def double_bookings(queryset: QuerySet[DutyShift]) -> QuerySet[DutyShift]:
    return with_double_booking(queryset.filter(user__isnull=False)).filter(double_booked=True)


def clashes_of(shift: DutyShift) -> list[DutyShift]:
    """The other shifts of the same person overlapping ``shift`` (in any room or school)."""
    if shift.user_id is None:
        return []
    return list(
        DutyShift.objects.filter(
            overlapping_q(date=shift.date, starts_at=shift.starts_at, ends_at=shift.ends_at),
            user_id=shift.user_id,
        )
        .exclude(pk=shift.pk)
        .select_related("room", "school")
    )


def roster_gaps(queryset: QuerySet[DutyShift]) -> QuerySet[DutyShift]:
    return queryset.filter(user__isnull=True)


def in_week(queryset: QuerySet[DutyShift], semester: Semester, week: int) -> QuerySet:
    monday, sunday = semester.week_dates(week)
    return queryset.filter(date__gte=monday, date__lte=sunday)


def free_people(*, shift: DutyShift) -> QuerySet[User]:
    """Staff who could stand in for ``shift``: people who can hold a shift at its school, with
    no overlapping shift anywhere and no approved leave at that time."""
    when = overlapping_q(date=shift.date, starts_at=shift.starts_at, ends_at=shift.ends_at)
    busy = DutyShift.objects.filter(when, user__isnull=False).exclude(pk=shift.pk).values("user_id")
    on_leave = LeaveRequest.objects.filter(
        state=LeaveRequest.State.APPROVED,
        shift__date=shift.date,
        shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at,
    ).values("requester_id")
    people = duty_staff_of(shift.school_id).exclude(pk__in=busy).exclude(pk__in=on_leave)
    if shift.user_id is not None:
        people = people.exclude(pk=shift.user_id)
    return people


def untouched_pattern_shifts(queryset):
    """Generated shifts nobody has changed or written about: safe to remove or regenerate."""
    return queryset.filter(
        origin=DutyShift.Origin.PATTERN, log__isnull=True, leave_requests__isnull=True
    )


# --- the week's roster and the weekly plan ---------------------------------------------------
@dataclass
class RosterDay:
    date: datetime.date
    closed: bool
    shifts: list[DutyShift] = field(default_factory=list)


@dataclass
class RoomWeek:
    room: Room
    days: list[RosterDay]

    @property
    def times(self) -> list[tuple[datetime.time, datetime.time]]:
        """The distinct times of the week's shifts (the rows of the printed grid)."""
        return sorted({(s.starts_at, s.ends_at) for day in self.days for s in day.shifts})

    def grid(self) -> list[tuple[tuple[datetime.time, datetime.time], list[list[DutyShift]]]]:
        rows = []
        for starts_at, ends_at in self.times:
            cells = [
                [s for s in day.shifts if (s.starts_at, s.ends_at) == (starts_at, ends_at)]
                for day in self.days
            ]
            rows.append(((starts_at, ends_at), cells))
        return rows


def week_roster(
    *, shifts: QuerySet[DutyShift], rooms: Iterable[Room], semester: Semester, week: int
) -> list[RoomWeek]:
    """The shifts of one teaching week, by room and day (for the roster page and its export)."""
    monday, _sunday = semester.week_dates(week)
    closed = holiday_dates(semester)
    week_shifts = (
        with_double_booking(in_week(shifts, semester, week).filter(semester=semester))
        .select_related("user", "room")
        .order_by("date", "starts_at")
    )
    by_room: dict[int, list[DutyShift]] = defaultdict(list)
    for shift in week_shifts:
        by_room[shift.room_id].append(shift)
    result = []
    for room in rooms:
        days = []
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            outside = not (semester.starts_on <= day <= semester.ends_on)
            days.append(
                RosterDay(
                    day,
                    outside or day in closed,
                    [s for s in by_room.get(room.pk, []) if s.date == day],
                )
            )
        result.append(RoomWeek(room, days))
    return result


def plan_of(*, room: Room, semester: Semester) -> list[OpeningPeriod]:
    """The room's opening periods in the semester, each with ``planned`` (the weekly person)."""
    periods = list(
        room.opening_periods.filter(semester=semester)
        .prefetch_related(Prefetch("patterns", queryset=DutyPattern.objects.select_related("user")))
        .order_by("weekday", "starts_at")
    )
    for period in periods:
        patterns = list(period.patterns.all())
        period.planned = patterns[0].user if patterns else None
    return periods


@dataclass(frozen=True)
class RosterState:
    total: int
    unpublished: int
    gaps: int
    double_booked: int


def roster_state(*, room: Room, semester: Semester) -> RosterState:
    shifts = DutyShift.objects.filter(room=room, semester=semester)
    return RosterState(
        total=shifts.count(),
        unpublished=shifts.filter(published=False).count(),
        gaps=roster_gaps(shifts).count(),
        double_booked=double_bookings(shifts).count(),
    )


# --- one's own duties ------------------------------------------------------------------------
def own_shifts(user, *, since: datetime.date | None = None) -> QuerySet[DutyShift]:
    """The person's published shifts ("my duties"), from ``since``."""
    if not signed_in(user):
        return DutyShift.objects.none()
    shifts = DutyShift.objects.filter(user=user, published=True)
    if since is not None:
        shifts = shifts.filter(date__gte=since)
    open_leave = LeaveRequest.objects.filter(
        shift=OuterRef("pk"), requester=user, state=LeaveRequest.State.REQUESTED
    )
    return (
        shifts.annotate(leave_pending=Exists(open_leave), has_log=Exists(log_of_shift()))
        .select_related("room", "school")
        .order_by("date", "starts_at")
    )


def duty_logs_missing(user, today: datetime.date) -> QuerySet[DutyShift]:
    """The person's duties of the last two weeks that ended without a duty log ("my duties"
    lists them first, and the workbench counts them)."""
    return (
        own_shifts(user, since=today - datetime.timedelta(days=14))
        .filter(ended_q(), has_log=False)
        .order_by("-date", "-starts_at")
    )


def log_of_shift():
    return DutyLog.objects.filter(shift=OuterRef("pk"))


def ended_q(now: datetime.datetime | None = None, prefix: str = "") -> Q:
    """Shifts that are over at ``now`` (local time)."""
    local = timezone.localtime(now or timezone.now())
    return Q(**{f"{prefix}date__lt": local.date()}) | Q(
        **{f"{prefix}date": local.date(), f"{prefix}ends_at__lte": local.time()}
    )


# --- the published roster (the duty staff's phone, intake) -----------------------------------
def published_shifts(user) -> QuerySet[DutyShift]:
    return (
        DutyShift.objects.for_user(user)
        .filter(published=True)
        .select_related("room", "user")
        .order_by("date", "starts_at", "room__name")
    )


def current_shift_of(user, *, school_id: int, at: datetime.datetime | None = None):
    """The published shift ``user`` is on right now, if any (an intake belongs to it)."""
    local = timezone.localtime(at or timezone.now())
    return (
        DutyShift.objects.filter(
            school_id=school_id,
            user=user,
            published=True,
            date=local.date(),
            starts_at__lte=local.time(),
            ends_at__gte=local.time(),
        )
        .order_by("starts_at")
        .first()
    )
