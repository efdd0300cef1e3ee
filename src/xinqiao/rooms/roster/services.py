"""State changes of the duty roster: the weekly plan, the shifts generated from it, publishing
and changing who is on one shift.

Seed 000 (duty staff rules): be on duty at the set time, answer calls, register appointments
and keep the day's duty record. Services trust their caller to have decided permission; each is
one transaction (rooms/services.py)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.steps import step_done
from xinqiao.people.models import Semester
from xinqiao.rooms.models import (
    DutyLog,
    DutyPattern,
    DutyShift,
    OpeningPeriod,
    Room,
)
from xinqiao.rooms.roster import selectors
from xinqiao.rooms.roster.selectors import untouched_pattern_shifts
from xinqiao.rooms.selectors import (
    WeekHours,
    directors_of,
    open_days,
    short_weeks,
    weekly_hours_target,
)
from xinqiao.rooms.services import check_semester


def _hm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def describe_shift(shift: DutyShift) -> str:
    return f"{shift.room.name} {shift.date:%Y-%m-%d} {_hm(shift.starts_at)}–{_hm(shift.ends_at)}"


def _check_may_hold_shifts(user: User, school_id: int) -> None:
    if not selectors.duty_staff_of(school_id).filter(pk=user.pk).exists():
        raise ValidationError(
            _("%(name)s holds no duty, counselor or director role at this school.")
            % {"name": user.display_name}
        )


@service
def roster_plan_save(
    *, actor: User, room: Room, semester: Semester, plan: Mapping[int, User | None]
) -> int:
    """Set who is on duty in each weekly opening period (``plan``: period id → person or None).

    A person cannot be planned in two overlapping periods of one weekday (in any room of the
    school). Returns how many periods changed.
    """
    check_semester(room, semester)
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


@service
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
    check_semester(room, semester)
    since = max(semester.starts_on, since or timezone.localdate())
    changes = RosterChanges()
    with transaction.atomic():
        Room.objects.select_for_update().get(pk=room.pk)
        wanted: dict[tuple[datetime.date, datetime.time], tuple[OpeningPeriod, User | None]] = {}
        periods = selectors.plan_of(room=room, semester=semester)
        days = list(open_days(semester, since=since))
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
            untouched_pattern_shifts(
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
    short_weeks: list[WeekHours]


@service
def roster_publish(*, actor: User, room: Room, semester: Semester) -> PublishResult:
    """Publish the room's roster of the semester: staff see it and their own duties.

    When the room is open fewer hours than criterion 14 asks in some teaching week, the
    school's director(s) get an in-app warning at once.
    """
    check_semester(room, semester)
    with transaction.atomic():
        drafts = DutyShift.objects.select_for_update().filter(
            room=room, semester=semester, published=False
        )
        people = set(drafts.filter(user__isnull=False).values_list("user_id", flat=True))
        published = drafts.update(published=True)
        short = short_weeks(room=room, semester=semester)
        if short:
            notify(
                recipients=directors_of(room.school_id),
                title=_("%(room)s is open too few hours in %(count)s week(s)")
                % {"room": room.name, "count": len(short)},
                body=_("Weeks %(weeks)s are short of %(hours)s open hours a week.")
                % {
                    "weeks": ", ".join(str(week.week) for week in short),
                    "hours": weekly_hours_target(room),
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


def check_free(user: User, shift: DutyShift) -> None:
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


def put_on_shift(shift: DutyShift, user: User | None, origin: str) -> None:
    """Save ``user`` (or nobody) on ``shift``, locked by the caller's transaction. Two duties
    of one person starting at the same time are refused by the database, also when they are
    sent at once."""
    shift.user = user
    shift.origin = origin
    try:
        with transaction.atomic():
            shift.save(update_fields=["user", "origin"])
    except IntegrityError:
        raise ValidationError(
            {"user": _("%(name)s is on another duty at that time.") % {"name": user}}
        ) from None


@service
def shift_assign(*, actor: User, shift: DutyShift, user: User | None) -> DutyShift:
    """Change who is on one shift (an exception to the weekly plan), or leave it empty."""
    shift = DutyShift.objects.select_for_update().select_related("room").get(pk=shift.pk)
    if DutyLog.objects.filter(shift=shift).exists():
        raise ValidationError(_("This duty has its log already; it cannot change hands."))
    previous = shift.user
    if (previous.pk if previous else None) == (user.pk if user else None):
        return shift
    if user is not None:
        check_free(user, shift)
    put_on_shift(shift, user, DutyShift.Origin.EXCEPTION)
    if user is not None:
        step_done(kind="substitute", obj=shift)
    if shift.published:
        if user is not None:
            notify(
                recipients=[user],
                title=_("You are on duty: %(shift)s") % {"shift": describe_shift(shift)},
                url=reverse("rooms:my_duties"),
                school_id=shift.school_id,
            )
        if previous is not None:
            notify(
                recipients=[previous],
                title=_("You are no longer on duty: %(shift)s") % {"shift": describe_shift(shift)},
                url=reverse("rooms:my_duties"),
                school_id=shift.school_id,
            )
    return shift
