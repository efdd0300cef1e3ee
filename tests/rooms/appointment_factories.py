"""Rooms, slots, students and bookings for the appointment and intake tests."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from tests.factories import UserFactory
from xinqiao.core.models import User
from xinqiao.people.models import School, Student
from xinqiao.people.services import role_assign
from xinqiao.rooms.models import Appointment, AppointmentSlot, Intake, Room


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ("school", "name")

    kind = Room.Kind.COUNSELING
    name = "心理咨询室"
    location = "行政楼三楼"
    capacity = 1


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time ``days`` from today (e.g. at(2, 10) is the day after tomorrow, 10:00)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentSlot

    room = factory.SubFactory(RoomFactory, school=factory.SelfAttribute("..school"))
    starts_at = factory.Sequence(lambda n: at(2, 8) + datetime.timedelta(hours=n % 200))
    ends_at = factory.LazyAttribute(lambda slot: slot.starts_at + datetime.timedelta(minutes=50))
    capacity = 1
    is_group = False


def make_slot(
    school: School,
    counselor: User,
    *,
    starts_at: datetime.datetime | None = None,
    minutes: int = 50,
    room: Room | None = None,
    **kwargs,
) -> AppointmentSlot:
    extra = {"starts_at": starts_at} if starts_at is not None else {}
    if starts_at is not None:
        extra["ends_at"] = starts_at + datetime.timedelta(minutes=minutes)
    if room is not None:
        extra["room"] = room
    return SlotFactory(school=school, counselor=counselor, **extra, **kwargs)


def make_group_slot(school: School, counselor: User, *, capacity: int, **kwargs):
    room = RoomFactory(school=school, name="团体辅导室", kind=Room.Kind.GROUP, capacity=12)
    return make_slot(
        school, counselor, room=room, is_group=True, capacity=capacity, topic="考前减压", **kwargs
    )


def make_student(school: School, number: int | str, *, name: str | None = None) -> Student:
    """A student with a signed-in account (the student role) at ``school``."""
    user = UserFactory(username=f"stu{number}", full_name=name or f"学生{number}")
    role_assign(user=user, role="student", school=school)
    return Student.objects.create(
        school=school, user=user, name=name or f"学生{number}", student_number=f"S{number}"
    )


def make_appointment(
    slot: AppointmentSlot, student: Student, *, booked_by: User | None = None, **kwargs
) -> Appointment:
    """A booking written straight to the table (for tests of what happens after booking)."""
    fields = {
        "school": slot.school,
        "slot": slot,
        "exclusive_slot": None if slot.is_group else slot,
        "for_kind": Appointment.ForKind.STUDENT,
        "student": student,
        "person_name": student.name,
        "topic": "study",
        "booked_by": booked_by or student.user,
    }
    fields.update(kwargs)
    return Appointment.objects.create(**fields)


def make_intake(school: School, received_by: User, **kwargs) -> Intake:
    fields = {
        "channel": Intake.Channel.PHONE,
        "caller_kind": Intake.CallerKind.GUARDIAN,
        "caller_name": "何妈妈",
        "contact": "13900000001",
        "concern": "孩子最近睡不好，不想上学",
    }
    fields.update(kwargs)
    return Intake.objects.create(school=school, received_by=received_by, **fields)
