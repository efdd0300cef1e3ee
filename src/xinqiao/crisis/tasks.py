"""Jobs of the crisis app, run by the task queue (``xinqiao worker``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinqiao.crisis.escalation import escalate_due_alerts
from xinqiao.crisis.services_reports import reports_chase


@db_periodic_task(crontab(minute="0"))
def chase_missing_weekly_reports() -> int:
    """Every hour: remind whoever owes this week's network report (seed 002: report upward in
    time). ``reports_chase`` sends each reminder once; tests call it with a fixed ``now``."""
    return reports_chase()


@db_periodic_task(crontab(minute="*"))
def escalate_alerts() -> int:
    """Every minute: the unacknowledged alerts whose deadline has passed tell their next step.

    A sweep rather than one task per deadline: a worker killed mid-flight loses nothing (the
    next sweep finds the step still due) and the step's claim keeps it from being told twice
    (``escalation_advance``)."""
    return escalate_due_alerts()
