"""Ids and days read from a query string: one place that parses them (issue 12 item 14).

``str.isdigit`` let through numbers no id column holds (``?semester=999999999999999999999``
crashed SQLite's driver) and digits ``int`` cannot read (``?room=²``); a day at the edge of the
calendar crashed the arithmetic of a day's or a week's range (``?day=9999-12-31``). Such a value
is bad input, answered 400 (``BadRequest``), never a crash deep in a query. Forms and API schemas
that take a day hold it to the same range (``DAY_VALIDATORS``, ``Day``).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import BadRequest
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.dateparse import parse_date
from pydantic import Field

#: The largest value of a 64-bit id column (every id here is a BigAutoField).
MAX_ID = 2**63 - 1
#: No school day lies outside these; the calendar arithmetic around them cannot overflow.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)
DAY_VALIDATORS = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]
Day = Annotated[datetime.date, Field(ge=FIRST_DAY, le=LAST_DAY)]


def parse_id(value: str | None) -> int | None:
    """None for an absent or empty value, else the id; BadRequest for anything else."""
    if not value:
        return None
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
        return int(value)
    raise BadRequest("not an id")


def query_id(request, name: str) -> int | None:
    return parse_id(request.GET.get(name))


def query_day(request, name: str) -> datetime.date | None:
    """None for an absent or empty value, else the day (YYYY-MM-DD); BadRequest for a value
    that is no day (2026-02-30) or one outside FIRST_DAY..LAST_DAY."""
    value = request.GET.get(name)
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise BadRequest("not a day")
    return day
