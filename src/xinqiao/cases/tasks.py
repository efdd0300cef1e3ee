"""Jobs of the cases app, run by the task queue (``xinqiao worker``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinqiao.cases.services_records import reviews_and_follow_ups_remind


@db_periodic_task(crontab(hour="7", minute="30"))
def remind_due_reviews_and_follow_ups() -> int:
    """Every morning: plan reviews and referral follow-ups that have come due (seed 001:
    定期评估与跟踪)."""
    return reviews_and_follow_ups_remind()
