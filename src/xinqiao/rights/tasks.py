"""Jobs of the rights app, run by the task queue (``xinqiao worker``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinqiao.rights.services import requests_remind


@db_periodic_task(crontab(minute="30", hour="7"))
def remind_record_requests_due() -> int:
    """Every morning: the director hears of guardians' requests due within 7 days or overdue
    (``requests_remind`` counts each request once a day; tests call it with a fixed ``now``)."""
    return requests_remind()
