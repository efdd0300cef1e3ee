"""Reads of rooms, opening hours, the duty roster, leave and duty logs, each limited to what the
asking user may see.

Criterion 14 of the standard (seed 004): the counseling room is open to students at least
``MIN_WEEKLY_OPEN_HOURS`` hours a week, and its duty records are complete. Weekly hours are
counted per teaching week (第N周) of the semester; holidays and days outside the semester count
as closed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.core.tenancy import NOTHING
from xinqiao.people.models import RoleAssignment, School, Semester
from xinqiao.rooms.models import (
    MIN_WEEKLY_OPEN_HOURS,
    DutyLog,
    DutyPattern,
    DutyShift,
    LeaveRequest,
    OpeningPeriod,
    Room,
)
from xinqiao.rooms.rules import DUTY_HOLDER_ROLES

# Rooms students come to on their own; their weekly hours are checked against criterion 14.
# A group-counseling room is used for scheduled groups and is shown, not checked.
ROOM_KINDS_OPEN_TO_STUDENTS = frozenset({Room.Kind.COUNSELING, Room.Kind.CARE})


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def schools_where(user, roles: Iterable[str]) -> list[int]:
    """The schools where ``user`` holds one of ``roles`` (in force)."""
    if not _signed_in(user):
        return []
    wanted = frozenset(roles)
    return sorted(
        school_id
        for school_id, held in user.role_map.items()
        if school_id is not None and held & wanted
    )


# --- rooms -------------------------------------------------------------------------------------
def rooms_for_user(user) -> QuerySet[Room]:
    """The school's rooms for its staff; every school's for the system administrator (who
    sets the rooms up but has no school of their own)."""
    if not _signed_in(user):
        return Room.objects.none()
    if user.has_role(Role.ADMIN):
        return Room.objects.all()
    return Room.objects.for_user(user)


def get_room_for_user(user, pk: int) -> Room:
    try:
        return rooms_for_user(user).select_related("school").get(pk=pk)
    except Room.DoesNotExist:
        raise Http404 from None


def schools_managed_by(user) -> QuerySet[School]:
    """Schools whose rooms ``user`` may set up: all for the administrator, else the director's."""
    if not _signed_in(user):
        return School.objects.none()
    if user.has_role(Role.ADMIN):
        return School.objects.for_user(user)
    return School.objects.filter(pk__in=schools_where(user, {Role.DIRECTOR}))


def semesters_of(school_id: int) -> QuerySet[Semester]:
    return Semester.objects.filter(school_id=school_id).order_by("-school_year", "-term")


def pick_semester(school_id: int | None, wanted: str | int | None = None) -> Semester | None:
    """The semester asked for (when it is the school's), else the current one, else the latest."""
    if school_id is None:
        return None
    semesters = semesters_of(school_id)
    if wanted not in (None, "") and str(wanted).isdigit():
        chosen = semesters.filter(pk=int(wanted)).first()
        if chosen is not None:
            return chosen
    return semesters.filter(is_current=True).first() or semesters.first()


def pick_week(semester: Semester, wanted: str | int | None = None) -> int:
    """The teaching week asked for, else this week (when inside the semester), else week 1."""
    if wanted not in (None, "") and str(wanted).isdigit():
        week = int(wanted)
        if 1 <= week <= semester.week_count:
            return week
    return semester.week_of(timezone.localdate()) or 1


# --- opening hours (criterion 14) --------------------------------------------------------------
def holiday_dates(semester: Semester) -> set[datetime.date]:
    days: set[datetime.date] = set()
    for holiday in semester.holidays.all():
        day = holiday.starts_on
        while day <= holiday.ends_on:
            days.add(day)
            day += datetime.timedelta(days=1)
    return days


def open_days(semester: Semester, *, since: datetime.date | None = None) -> Iterator[datetime.date]:
    """The days of the semester (from ``since``) that are not holidays."""
    closed = holiday_dates(semester)
    day = max(semester.starts_on, since or semester.starts_on)
    while day <= semester.ends_on:
        if day not in closed:
            yield day
        day += datetime.timedelta(days=1)


@dataclass(frozen=True)
class WeekHours:
    week: int
    monday: datetime.date
    sunday: datetime.date
    hours: float
    checked: bool = True

    @property
    def short(self) -> bool:
        return self.checked and self.hours < MIN_WEEKLY_OPEN_HOURS


def room_is_checked(room: Room) -> bool:
    return room.kind in ROOM_KINDS_OPEN_TO_STUDENTS


def weekly_open_hours(
    *,
    room: Room,
    semester: Semester,
    periods: Iterable[OpeningPeriod] | None = None,
    closed: set[datetime.date] | None = None,
) -> list[WeekHours]:
    """Open hours of ``room`` in each teaching week; holidays and days outside the semester
    are closed. ``periods`` and ``closed`` may be passed in to spare queries in lists."""
    if periods is None:
        periods = room.opening_periods.filter(semester=semester)
    hours_by_weekday: dict[int, float] = defaultdict(float)
    for period in periods:
        hours_by_weekday[period.weekday] += period.hours
    closed = holiday_dates(semester) if closed is None else closed
    checked = room_is_checked(room)
    weeks = []
    for week in range(1, semester.week_count + 1):
        monday, sunday = semester.week_dates(week)
        total = 0.0
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            if semester.starts_on <= day <= semester.ends_on and day not in closed:
                total += hours_by_weekday.get(day.weekday(), 0.0)
        weeks.append(WeekHours(week, monday, sunday, round(total, 2), checked))
    return weeks


def short_weeks(*, room: Room, semester: Semester) -> list[WeekHours]:
    """Teaching weeks in which a room open to students is open fewer hours than required."""
    return [week for week in weekly_open_hours(room=room, semester=semester) if week.short]


@dataclass
class RoomSummary:
    room: Room
    weeks: list[WeekHours]
    periods: list[OpeningPeriod] = field(default_factory=list)

    @property
    def short_weeks(self) -> list[WeekHours]:
        return [week for week in self.weeks if week.short]

    @property
    def usual_hours(self) -> float:
        """Hours of a full week (the weekly plan, before holidays)."""
        return round(sum(period.hours for period in self.periods), 2)


def room_summaries(rooms: Iterable[Room], semester_by_school: dict[int, Semester | None]) -> list:
    """Each room with its opening periods and weekly hours in its school's chosen semester."""
    rooms = list(rooms)
    semester_ids = {s.pk for s in semester_by_school.values() if s is not None}
    periods = defaultdict(list)
    for period in OpeningPeriod.objects.filter(
        room__in=rooms, semester_id__in=semester_ids
    ).order_by("weekday", "starts_at"):
        periods[(period.room_id, period.semester_id)].append(period)
    closed = {s.pk: holiday_dates(s) for s in semester_by_school.values() if s is not None}
    summaries = []
    for room in rooms:
        semester = semester_by_school.get(room.school_id)
        if semester is None:
            summaries.append(RoomSummary(room, []))
            continue
        own = periods[(room.pk, semester.pk)]
        weeks = weekly_open_hours(
            room=room, semester=semester, periods=own, closed=closed[semester.pk]
        )
        summaries.append(RoomSummary(room, weeks, own))
    return summaries


# --- people ------------------------------------------------------------------------------------
def duty_staff_of(school_id: int) -> QuerySet[User]:
    """Who can hold a shift in a school: its duty staff, counselors and director(s)."""
    holders = RoleAssignment.objects.in_force().filter(
        school_id=school_id, role__in=sorted(DUTY_HOLDER_ROLES)
    )
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )


def directors_of(school_id: int) -> list[User]:
    holders = RoleAssignment.objects.in_force().filter(school_id=school_id, role=Role.DIRECTOR)
    return list(User.objects.filter(pk__in=holders.values("user_id"), is_active=True))


# --- the roster --------------------------------------------------------------------------------
def shift_visibility_q(user) -> Q:
    """The director sees the school's whole roster (drafts too); those who hold shifts see
    the published roster of their schools."""
    if not _signed_in(user):
        return NOTHING
    return Q(school_id__in=schools_where(user, {Role.DIRECTOR})) | Q(
        school_id__in=schools_where(user, DUTY_HOLDER_ROLES), published=True
    )


def shifts_for_user(user) -> QuerySet[DutyShift]:
    return DutyShift.objects.filter(shift_visibility_q(user))


def get_shift_for_user(user, pk: int) -> DutyShift:
    try:
        return shifts_for_user(user).select_related("room", "user", "semester").get(pk=pk)
    except DutyShift.DoesNotExist:
        raise Http404 from None


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


def own_shifts(user, *, since: datetime.date | None = None) -> QuerySet[DutyShift]:
    """The person's published shifts ("my duties"), from ``since``."""
    if not _signed_in(user):
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


# --- leave -------------------------------------------------------------------------------------
def leave_visibility_q(user) -> Q:
    """The director sees the school's requests; anyone else their own."""
    if not _signed_in(user):
        return NOTHING
    return Q(shift__school_id__in=schools_where(user, {Role.DIRECTOR})) | Q(requester_id=user.pk)


def leave_requests_for_user(user) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(leave_visibility_q(user))


def get_leave_for_user(user, pk: int) -> LeaveRequest:
    try:
        return (
            leave_requests_for_user(user)
            .select_related("shift__room", "shift__user", "requester", "decided_by", "substitute")
            .get(pk=pk)
        )
    except LeaveRequest.DoesNotExist:
        raise Http404 from None


def own_leave_requests(user) -> QuerySet[LeaveRequest]:
    if not _signed_in(user):
        return LeaveRequest.objects.none()
    return (
        LeaveRequest.objects.filter(requester=user)
        .select_related("shift__room", "substitute")
        .order_by("-requested_at")
    )


# --- duty logs ---------------------------------------------------------------------------------
def log_of_shift():
    return DutyLog.objects.filter(shift=OuterRef("pk"))


def duty_log_visibility_q(user) -> Q:
    """The director and the supervision group see the school's logs; the writer their own."""
    if not _signed_in(user):
        return NOTHING
    return Q(shift__school_id__in=schools_where(user, {Role.DIRECTOR, Role.SUPERVISOR})) | Q(
        written_by_id=user.pk
    )


def duty_logs_for_user(user) -> QuerySet[DutyLog]:
    return DutyLog.objects.filter(duty_log_visibility_q(user))


def get_duty_log_for_user(user, pk: int) -> DutyLog:
    try:
        return (
            duty_logs_for_user(user)
            .select_related("shift__room", "shift__school", "written_by")
            .get(pk=pk)
        )
    except DutyLog.DoesNotExist:
        raise Http404 from None


def ended_q(now: datetime.datetime | None = None, prefix: str = "") -> Q:
    """Shifts that are over at ``now`` (local time)."""
    local = timezone.localtime(now or timezone.now())
    return Q(**{f"{prefix}date__lt": local.date()}) | Q(
        **{f"{prefix}date": local.date(), f"{prefix}ends_at__lte": local.time()}
    )


def missing_logs(
    *, school_ids: Iterable[int], now: datetime.datetime | None = None
) -> QuerySet[DutyShift]:
    """Published shifts that are over, had someone on duty, and have no duty log."""
    return (
        DutyShift.objects.filter(
            ended_q(now), school_id__in=list(school_ids), published=True, user__isnull=False
        )
        .annotate(has_log=Exists(log_of_shift()))
        .filter(has_log=False)
        .select_related("room", "user")
        .order_by("-date", "-starts_at", "room__name")
    )


def duty_log_defaults(shift: DutyShift) -> dict:
    """What the system already knows of the shift, to start the log with: calls and visits
    recorded as intakes during it, and appointments its person registered."""
    from xinqiao.rooms.models import Appointment, Intake

    intakes = Intake.objects.filter(shift=shift)
    start = shift.starts
    end = timezone.make_aware(datetime.datetime.combine(shift.date, shift.ends_at))
    return {
        "arrived_at": shift.starts_at,
        "calls_received": intakes.filter(channel=Intake.Channel.PHONE).count(),
        "visitors": intakes.filter(channel=Intake.Channel.WALK_IN).count(),
        "appointments_registered": Appointment.objects.filter(
            school_id=shift.school_id,
            booked_by_id=shift.user_id,
            booked_at__gte=start,
            booked_at__lte=end,
        ).count(),
    }


# --- filters shared by the pages ---------------------------------------------------------------
def pick_school(user, roles: Iterable[str], wanted: str | int | None = None) -> School | None:
    """The school a page is about: the one asked for among those where ``user`` holds one of
    ``roles``, else the first of them."""
    ids = schools_where(user, roles)
    if wanted not in (None, "") and str(wanted).isdigit() and int(wanted) in ids:
        return School.objects.get(pk=int(wanted))
    return School.objects.filter(pk__in=ids).order_by("name").first()


def schools_list(user, roles: Iterable[str]) -> QuerySet[School]:
    return School.objects.filter(pk__in=schools_where(user, roles)).order_by("name")
