"""Jobs of the letters app, run by the task queue (``xinqiao worker``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinqiao.letters.services import overdue_letters_remind


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="45"))
def remind_overdue_letters() -> int:
    """Monday mornings: the directors hear how many letters wait more than a week."""
    return overdue_letters_remind()
