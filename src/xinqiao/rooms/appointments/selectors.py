"""Reads of appointment slots and appointments: free slots, one's own bookings, calendars.

Who sees which slot or appointment is declared on the models (rooms/models.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import RoleAssignment, Semester, Student
from xinqiao.rooms.models import Appointment, AppointmentSlot, Room
from xinqiao.rooms.selectors import signed_in

ACTIVE = Appointment.ACTIVE_STATES

COUNSELING_ROLES = frozenset({Role.DIRECTOR, Role.COUNSELOR})

NEXT_FREE_SLOTS = 5


# --- slots -----------------------------------------------------------------------------------
def with_booked_count(queryset: QuerySet[AppointmentSlot]) -> QuerySet[AppointmentSlot]:
    return queryset.annotate(
        booked_count=Count("appointments", filter=Q(appointments__state__in=ACTIVE))
    )


def free_slots(
    queryset: QuerySet[AppointmentSlot],
    *,
    counselor_id: int | None = None,
    day: datetime.date | None = None,
    starting_from: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[AppointmentSlot]:
    """Slots still bookable: not cancelled, in the future, with a place left."""
    now = now or timezone.now()
    queryset = with_booked_count(
        queryset.filter(cancelled=False, starts_at__gt=max(now, starting_from or now))
    ).filter(booked_count__lt=F("capacity"))
    if counselor_id:
        queryset = queryset.filter(counselor_id=counselor_id)
    if day is not None:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        queryset = queryset.filter(
            starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
        )
    return queryset.select_related("room", "counselor").order_by("starts_at", "counselor_id")


def next_free_slots(
    *, slot: AppointmentSlot, limit: int = NEXT_FREE_SLOTS, now: datetime.datetime | None = None
) -> list[AppointmentSlot]:
    """What to offer when ``slot`` was just taken: the school's next free slots after it,
    the same counselor's first (a student who chose a counselor usually wants to keep them)."""
    base = AppointmentSlot.objects.filter(school_id=slot.school_id, is_group=slot.is_group).exclude(
        pk=slot.pk
    )
    same = list(
        free_slots(base, counselor_id=slot.counselor_id, starting_from=slot.starts_at, now=now)[
            :limit
        ]
    )
    if len(same) < limit:
        others = free_slots(base.exclude(counselor_id=slot.counselor_id), now=now).filter(
            starts_at__gte=slot.starts_at
        )
        same += list(others[: limit - len(same)])
    return sorted(same, key=lambda s: s.starts_at)


def counselors_of_school(school_id: int) -> QuerySet[User]:
    """People who can offer appointment slots in a school: its counselors and director(s)."""
    holders = RoleAssignment.objects.in_force().filter(
        school_id=school_id, role__in=sorted(COUNSELING_ROLES)
    )
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )


def rooms_of_school(school_id: int) -> QuerySet[Room]:
    return Room.objects.filter(school_id=school_id, is_active=True).order_by("kind", "name")


# --- appointments ----------------------------------------------------------------------------
def own_appointments(user) -> QuerySet[Appointment]:
    """The bookings of the person themself ("my bookings"), not the school's book."""
    if not signed_in(user):
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(
            Q(student__user_id=user.pk, for_kind=Appointment.ForKind.STUDENT)
            | Q(
                for_kind=Appointment.ForKind.GUARDIAN,
                student__guardian_links__guardian__user_id=user.pk,
            )
        )
        .distinct()
        .select_related("slot__room", "slot__counselor", "student")
        .order_by("-slot__starts_at")
    )


def bookings_of(user) -> QuerySet[Appointment]:
    """The person's own bookings and the ones they made for others (the API's "my bookings")."""
    if not signed_in(user):
        return Appointment.objects.none()
    mine = own_appointments(user).values("pk")
    return (
        Appointment.objects.filter(Q(pk__in=mine) | Q(booked_by_id=user.pk))
        .select_related("slot__room", "slot__counselor", "student")
        .order_by("-slot__starts_at", "-pk")
    )


def own_student_record(user, school_id: int | None = None) -> Student | None:
    """The enrolled student record of a signed-in student (in ``school_id`` if given)."""
    if not signed_in(user):
        return None
    records = Student.objects.enrolled().filter(user=user)
    if school_id is not None:
        records = records.filter(school_id=school_id)
    return records.first()


# --- a counselor's week ----------------------------------------------------------------------
@dataclass
class CalendarDay:
    date: datetime.date
    slots: list[AppointmentSlot] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


@dataclass
class CalendarWeek:
    monday: datetime.date
    days: list[CalendarDay]
    semester: Semester | None

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)

    @property
    def teaching_week(self) -> int | None:
        """第N周 of the semester, as Chinese schools number their weeks."""
        if self.semester is None:
            return None
        for day in self.days:
            week = self.semester.week_of(day.date)
            if week:
                return week
        return None

    @property
    def previous_monday(self) -> datetime.date:
        return self.monday - datetime.timedelta(days=7)

    @property
    def next_monday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=7)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def counselor_week(*, counselor: User, school_id: int, day: datetime.date, viewer) -> CalendarWeek:
    """The Monday-first week holding ``day``: the counselor's slots with their bookings."""
    monday = monday_of(day)
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    slots = (
        AppointmentSlot.objects.filter(
            school_id=school_id,
            counselor=counselor,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=7),
        )
        .select_related("room")
        .order_by("starts_at")
    )
    visible = Appointment.objects.for_user(viewer).filter(slot__in=slots).select_related("student")
    by_slot: dict[int, list[Appointment]] = {}
    for appointment in visible.order_by("booked_at"):
        by_slot.setdefault(appointment.slot_id, []).append(appointment)
    days = [CalendarDay(monday + datetime.timedelta(days=i)) for i in range(7)]
    for slot in slots:
        slot.bookings = by_slot.get(slot.pk, [])
        slot.active_bookings = [a for a in slot.bookings if a.state in ACTIVE]
        days[timezone.localtime(slot.starts_at).date().weekday()].slots.append(slot)
    semester = (
        Semester.objects.filter(school_id=school_id, starts_on__lte=monday + datetime.timedelta(6))
        .filter(ends_on__gte=monday)
        .first()
    )
    return CalendarWeek(monday=monday, days=days, semester=semester)
