"""Housekeeping jobs of the platform, run by the task queue (``xinqiao worker``)."""

from django.contrib.sessions.models import Session
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="15"))
def clear_expired_sessions() -> int:
    """Delete expired sessions every night; returns how many were removed."""
    removed, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return removed
