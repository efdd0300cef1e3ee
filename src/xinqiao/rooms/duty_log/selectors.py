"""Reads of duty logs (值班记录) and of the shifts still missing one (criterion 14 of seed 004
asks for complete duty records)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, QuerySet
from django.utils import timezone

from xinqiao.rooms.models import Appointment, DutyShift, Intake
from xinqiao.rooms.roster.selectors import ended_q, log_of_shift


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
