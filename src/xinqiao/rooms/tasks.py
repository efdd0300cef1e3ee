"""Jobs of the rooms app, run by the task queue (``xinqiao worker``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinqiao.rooms.appointments.services import appointment_reminders_send


@db_periodic_task(crontab(minute="*/5"))
def send_appointment_reminders() -> int:
    """Every five minutes: the day-before and hour-before reminders that have come due.

    The work (and its "send once" guarantee) is in ``appointment_reminders_send``, which tests
    call with a fixed ``now``.
    """
    return appointment_reminders_send()
