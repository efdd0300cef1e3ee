"""Template filters of the project."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def local_minute(value: datetime.datetime | None) -> str:
    """2026-12-01 14:30 in the school's time zone: the way Chinese schools write a moment.

    Much cheaper than ``|date:"Y-m-d H:i"`` for long lists (a student file shows hundreds).
    """
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
