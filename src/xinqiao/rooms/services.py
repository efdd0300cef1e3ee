"""State changes of rooms and their weekly opening periods (criterion 14 of seed 004: open at
least 10 hours a week).

Services of the rooms app trust their caller: the view or API endpoint decides the actor's
permission (through the getters of rooms/access.py and ``core.access.require``) before calling
one. Each runs in one transaction with its actor recorded (``core.history.service``); the change
history (django-auditlog) records every save of the tracked models, and notifications are
created in the same transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.people.models import School, Semester
from xinqiao.rooms.models import OpeningPeriod, Room
from xinqiao.rooms.roster.selectors import untouched_pattern_shifts


def check_semester(room: Room, semester: Semester) -> None:
    if semester.school_id != room.school_id:
        raise ValidationError({"semester": _("The semester is not one of the room's school.")})


# --- rooms -----------------------------------------------------------------------------------
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


@service
def room_create(*, actor: User, school: School, **fields) -> Room:
    """Add a room to ``school``; ``fields`` are those of ``_room_save``."""
    return _room_save(Room(school=school), **fields)


@service
def room_update(*, actor: User, room: Room, **fields) -> Room:
    """Change a room; ``fields`` are those of ``_room_save``."""
    return _room_save(room, **fields)


def _room_save(
    room: Room,
    *,
    kind: str,
    name: str,
    location: str = "",
    spaces: str = "",
    equipment: str = "",
    capacity: int = 1,
    is_active: bool = True,
) -> Room:
    """Check and save a new or changed room; a room's name is unique in its school."""
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
    except IntegrityError:  # the same name submitted twice at once
        raise ValidationError({"name": _("The school already has a room of that name.")}) from None
    return room


# --- opening periods -------------------------------------------------------------------------
@service
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
    check_semester(room, semester)
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


@service
def opening_period_remove(*, actor: User, period: OpeningPeriod) -> int:
    """Remove an opening period and its future generated shifts; shifts that were changed, have
    leave requests or a log stay (they are records). Returns how many shifts were removed."""
    today = timezone.localdate()
    doomed = untouched_pattern_shifts(period.shifts.filter(date__gte=today))
    removed = 0
    for shift in doomed.distinct():
        shift.delete()
        removed += 1
    period.delete()
    return removed


@service
def opening_periods_copy(*, actor: User, room: Room, source: Semester, target: Semester) -> int:
    """Copy a room's weekly opening periods from one semester to another (those not clashing)."""
    check_semester(room, source)
    check_semester(room, target)
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
