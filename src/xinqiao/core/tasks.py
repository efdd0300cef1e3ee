"""Housekeeping jobs of the platform, run by the task queue (``xinqiao worker``)."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(hour="3", minute="15"))
def clear_expired_sessions() -> int:
    """Delete expired sessions every night; returns how many were removed."""
    removed, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return removed


@db_task(retries=3, retry_delay=60)
def send_notification_email(title: str, body: str, addresses: list[str]) -> None:
    send_mail(title, body or title, None, addresses, fail_silently=False)


@db_periodic_task(crontab(minute="*"))
def send_due_deliveries() -> int:
    """Send the urgent notices due on outside channels: queued when one falls due, and every
    minute for what a lost task or a killed worker left (core/delivery.py)."""
    from xinqiao.core.delivery import send_due

    return send_due()


@db_task()
def run_backup(run_id: int) -> None:
    """The backup the administrator's page asked for (``xinqiao backup`` does the same)."""
    from xinqiao.core.models import BackupRun
    from xinqiao.core.services_backup import backup_run_perform

    backup_run_perform(run=BackupRun.objects.get(pk=run_id))


@db_periodic_task(crontab(hour=str(settings.BACKUP_HOUR), minute="30"))
def nightly_backup() -> None:
    """Write, verify, copy and rotate the backups; a failure reaches the admin and directors."""
    from xinqiao.core.backup_schedule import scheduled_backup

    if settings.BACKUP_SCHEDULE:
        scheduled_backup()


@db_periodic_task(crontab(minute="45"))
def backup_watch() -> None:
    """Every hour: a backup missing for more than a day reaches the admin and the directors."""
    from xinqiao.core.backup_schedule import backup_trouble_tell

    backup_trouble_tell()


@db_periodic_task(crontab(day_of_week="1", hour="6", minute="0"))
def retention_review_reminders() -> int:
    """Each Monday: tell the directors whose yearly retention review is due."""
    from xinqiao.core.retention import retention_review_remind

    return retention_review_remind()
