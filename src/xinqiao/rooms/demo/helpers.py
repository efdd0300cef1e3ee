"""Date helpers of the rooms demo."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone


def at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def plus(time: datetime.time, minutes: int) -> datetime.time:
    return (
        datetime.datetime.combine(datetime.date.min, time) + datetime.timedelta(minutes=minutes)
    ).time()


def spread(items: Sequence, count: int) -> list:
    """``count`` items spread evenly over ``items`` (fewer when there are fewer)."""
    if len(items) < count:
        return list(items)
    return [items[(index + 1) * len(items) // (count + 1)] for index in range(count)]
