"""Jobs of the crisis app, run by the task queue (``xinqiao worker``)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from xinqiao.crisis.escalation import escalate_due_alerts, escalation_advance
from xinqiao.crisis.services_reports import reports_chase


@db_periodic_task(crontab(minute="0"))
def chase_missing_weekly_reports() -> int:
    """Every hour: remind whoever owes this week's network report (seed 002: report upward in
    time). ``reports_chase`` sends each reminder once; tests call it with a fixed ``now``."""
    return reports_chase()


@db_task()
def advance_alert_escalation(escalation_id: int, from_step: int) -> int:
    """At the deadline of an alert's step ``from_step`` (scheduled when the step is told): if
    nobody has acknowledged, tell the next step. Runs at most once per step whatever happens
    (the claim in ``escalation_advance``); a task lost with a killed worker is the sweep's."""
    return escalation_advance(escalation_id=escalation_id, from_step=from_step, now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def escalate_alerts() -> int:
    """Every minute, the safety net: the unacknowledged alerts whose deadline has passed tell
    their next step. A worker killed mid-flight loses its scheduled tasks, not the steps: the
    next sweep finds them still due, and the step's claim keeps them from being told twice
    (``escalation_advance``)."""
    return escalate_due_alerts()
