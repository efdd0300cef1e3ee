"""Reads of rooms, semesters and opening hours, and the school and semester pickers the pages of every rooms area share.

Criterion 14 of the standard (seed 004 item 14): the counseling room (心理辅导室) is open to
students at least ``MIN_WEEKLY_OPEN_HOURS`` hours a week. Weekly hours are counted per teaching
week (第N周) of the semester; holidays and days outside the semester count as closed, and a week
is held to its school days only (``weekly_hours_target``): a holiday week is not measured.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from xinqiao.core.models import User
from xinqiao.core.params import parse_id
from xinqiao.core.roles import Role
from xinqiao.people.models import RoleAssignment, School, Semester
from xinqiao.rooms.models import MIN_WEEKLY_OPEN_HOURS, OpeningPeriod, Room

SCHOOL_DAYS_A_WEEK = 5  # Monday to Friday: the days a weekly target is spread over


def signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def schools_where(user, roles: Iterable[str]) -> list[int]:
    """The schools where ``user`` holds one of ``roles`` (in force)."""
    if not signed_in(user):
        return []
    wanted = frozenset(roles)
    return sorted(
        school_id
        for school_id, held in user.role_map.items()
        if school_id is not None and held & wanted
    )


# --- rooms -----------------------------------------------------------------------------------
def schools_managed_by(user) -> QuerySet[School]:
    """Schools whose rooms ``user`` may set up: all for the administrator, else the director's."""
    if not signed_in(user):
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
    pk = parse_id(str(wanted or ""))
    if pk is not None:
        chosen = semesters.filter(pk=pk).first()
        if chosen is not None:
            return chosen
    return semesters.filter(is_current=True).first() or semesters.first()


def pick_week(semester: Semester, wanted: str | int | None = None) -> int:
    """The teaching week asked for, else this week (when inside the semester), else week 1."""
    week = parse_id(str(wanted or ""))
    if week is not None and week <= semester.week_count:
        return week
    return semester.week_of(timezone.localdate()) or 1


# --- opening hours (criterion 14) ------------------------------------------------------------
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
    target: float | None = None  # the hours this week asks for; None: not measured

    @property
    def short(self) -> bool:
        return self.target is not None and self.hours < self.target


def weekly_hours_target(room: Room) -> int | None:
    """The open hours a full week asks of ``room``, or None when its kind has no target.

    Seed 004 item 14 names the counseling room only; the care room is held to a target only
    when the installation sets one (``XINQIAO_CARE_ROOM_WEEKLY_HOURS``); a group-counseling
    room is used for scheduled groups and is shown, not measured.
    """
    targets = {
        Room.Kind.COUNSELING: MIN_WEEKLY_OPEN_HOURS,
        Room.Kind.CARE: settings.CARE_ROOM_WEEKLY_HOURS or None,
    }
    return targets.get(room.kind)


def weekly_open_hours(
    *,
    room: Room,
    semester: Semester,
    periods: Iterable[OpeningPeriod] | None = None,
    closed: set[datetime.date] | None = None,
) -> list[WeekHours]:
    """Open hours of ``room`` in each teaching week; holidays and days outside the semester
    are closed. A week's target is the room's weekly target spread over the school days
    (Monday to Friday) it has: a week with a holiday or the semester's first or last days asks
    for less, and one with no school day left (a holiday week) is not measured. ``periods``
    and ``closed`` may be passed in to spare queries in lists."""
    if periods is None:
        periods = room.opening_periods.filter(semester=semester)
    hours_by_weekday: dict[int, float] = defaultdict(float)
    for period in periods:
        hours_by_weekday[period.weekday] += period.hours
    closed = holiday_dates(semester) if closed is None else closed
    full_week = weekly_hours_target(room)
    weeks = []
    for week in range(1, semester.week_count + 1):
        monday, sunday = semester.week_dates(week)
        total, school_days = 0.0, 0
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            if semester.starts_on <= day <= semester.ends_on and day not in closed:
                total += hours_by_weekday.get(day.weekday(), 0.0)
                school_days += day.weekday() < SCHOOL_DAYS_A_WEEK
        target = (
            round(full_week * school_days / SCHOOL_DAYS_A_WEEK, 2)
            if full_week is not None and school_days
            else None
        )
        weeks.append(WeekHours(week, monday, sunday, round(total, 2), target))
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


# --- people ----------------------------------------------------------------------------------
def directors_of(school_id: int) -> list[User]:
    holders = RoleAssignment.objects.in_force().filter(school_id=school_id, role=Role.DIRECTOR)
    return list(User.objects.filter(pk__in=holders.values("user_id"), is_active=True))


# --- filters shared by the pages -------------------------------------------------------------
def pick_school(user, roles: Iterable[str], wanted: str | int | None = None) -> School | None:
    """The school a page is about: the one asked for among those where ``user`` holds one of
    ``roles``, else the first of them."""
    ids = schools_where(user, roles)
    pk = parse_id(str(wanted or ""))
    if pk is not None and pk in ids:
        return School.objects.get(pk=pk)
    return School.objects.filter(pk__in=ids).order_by("name").first()


def schools_list(user, roles: Iterable[str]) -> QuerySet[School]:
    return School.objects.filter(pk__in=schools_where(user, roles)).order_by("name")


@dataclass(frozen=True)
class RoomWeek:
    """How a school's counseling rooms stand against the weekly standard (leadership's figure)."""

    hours_this_week: float | None  # None: no counseling room, or no teaching week today
    target_this_week: float | None
    short_weeks: int  # weeks of the semester so far under their target


def counseling_room_week(
    school_id: int, semester: Semester, today: datetime.date | None = None
) -> RoomWeek:
    """Open hours of the school's counseling rooms (criterion 14) this teaching week, and the
    weeks so far this semester that fell short; several rooms add up, as students see them."""
    today = today or timezone.localdate()
    rooms = Room.objects.filter(school_id=school_id, kind=Room.Kind.COUNSELING, is_active=True)
    rooms = list(rooms.prefetch_related("opening_periods"))
    if not rooms:
        return RoomWeek(None, None, 0)
    closed = holiday_dates(semester)
    by_week: dict[int, list[WeekHours]] = defaultdict(list)
    for room in rooms:
        periods = [p for p in room.opening_periods.all() if p.semester_id == semester.pk]
        for week in weekly_open_hours(room=room, semester=semester, periods=periods, closed=closed):
            by_week[week.week].append(week)
    this_week = semester.week_of(today)
    current = by_week.get(this_week, [])
    # A past semester (today outside it) counts all its weeks.
    ended = semester.week_count + 1
    weeks_so_far = [weeks for number, weeks in by_week.items() if number < (this_week or ended)]
    short = sum(
        1
        for weeks in weeks_so_far
        if weeks[0].target is not None and sum(w.hours for w in weeks) < weeks[0].target
    )
    return RoomWeek(
        round(sum(w.hours for w in current), 2) if current else None,
        current[0].target if current else None,
        short,
    )
