"""Rooms, opening periods, duty shifts, leave requests and duty logs for the rooms tests.

Times are relative to today where it matters (a past shift, a future shift), so the tests
do not depend on the calendar date they run on. ``term_around_today`` moves the cast's
semester so that today lies in it.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from xinqiao.core.models import User
from xinqiao.people.models import School, Semester
from xinqiao.rooms.models import DutyLog, DutyShift, LeaveRequest, OpeningPeriod, Room


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ("school", "name")

    kind = Room.Kind.COUNSELING
    name = "心理咨询室"
    location = "行政楼三楼"
    spaces = "接待区、个体咨询室、放松室"
    equipment = "沙发、音乐放松椅、心理图书"
    capacity = 1


class OpeningPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningPeriod
        django_get_or_create = ("room", "semester", "weekday", "starts_at")

    weekday = 0
    starts_at = datetime.time(12, 0)
    ends_at = datetime.time(13, 0)


def today() -> datetime.date:
    return timezone.localdate()


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def term_around_today(semester: Semester, *, weeks_before: int = 4, weeks_after: int = 12):
    """Move ``semester`` so that it starts on a Monday ``weeks_before`` weeks ago and runs
    ``weeks_after`` weeks from this week on (idempotent)."""
    start = monday_of(today()) - datetime.timedelta(weeks=weeks_before)
    end = monday_of(today()) + datetime.timedelta(weeks=weeks_after, days=4)
    if (semester.starts_on, semester.ends_on) != (start, end):
        semester.starts_on, semester.ends_on = start, end
        semester.save(update_fields=["starts_on", "ends_on"])
    return semester


def make_shift(
    *,
    school: School,
    semester: Semester,
    user: User | None,
    day: datetime.date,
    starts_at: datetime.time = datetime.time(12, 0),
    ends_at: datetime.time = datetime.time(13, 0),
    room: Room | None = None,
    published: bool = True,
    origin: str = DutyShift.Origin.PATTERN,
) -> DutyShift:
    """A shift (get-or-create on room, day and start; the person and state are set)."""
    room = room or RoomFactory(school=school)
    shift, _created = DutyShift.objects.get_or_create(
        room=room,
        date=day,
        starts_at=starts_at,
        defaults={
            "school": school,
            "semester": semester,
            "ends_at": ends_at,
            "user": user,
            "published": published,
            "origin": origin,
        },
    )
    changed = (shift.user_id, shift.published) != (getattr(user, "pk", None), published)
    if changed:
        shift.user, shift.published = user, published
        shift.save(update_fields=["user", "published"])
    return shift


def in_days(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def make_leave(*, shift: DutyShift, requester: User, reason: str = "家中有事") -> LeaveRequest:
    leave = LeaveRequest.objects.filter(
        shift=shift, requester=requester, state=LeaveRequest.State.REQUESTED
    ).first()
    return leave or LeaveRequest.objects.create(shift=shift, requester=requester, reason=reason)


def make_log(*, shift: DutyShift, arrived_at: datetime.time | None = None, **fields) -> DutyLog:
    log = DutyLog.objects.filter(shift=shift).first()
    if log is not None:
        return log
    return DutyLog.objects.create(
        shift=shift,
        written_by=shift.user,
        arrived_at=arrived_at or shift.starts_at,
        **fields,
    )


# --- objects of the access sweep (tests/rooms/access_table_rooms.py) ----------------------------
# The sweep resolves a route's arguments once per role, so each helper is idempotent.
def sweep_room(cast) -> Room:
    return RoomFactory(school=cast.school)


def sweep_period(cast) -> OpeningPeriod:
    return OpeningPeriodFactory(room=sweep_room(cast), semester=cast.semester)


def sweep_future_shift(cast) -> DutyShift:
    return make_shift(school=cast.school, semester=cast.semester, user=cast.duty, day=in_days(3))


def sweep_past_shift(cast) -> DutyShift:
    return make_shift(school=cast.school, semester=cast.semester, user=cast.duty, day=in_days(-3))


def sweep_leave(cast) -> LeaveRequest:
    return make_leave(shift=sweep_future_shift(cast), requester=cast.duty)


def sweep_log(cast) -> DutyLog:
    return make_log(shift=sweep_past_shift(cast), calls_received=2, unusual="学生情绪低落")
