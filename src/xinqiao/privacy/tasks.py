"""Jobs of the privacy app, run by the task queue (``xinqiao worker``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def scan_access_log() -> int:
    """Every five minutes: the detectors read the log's new rows and flag unusual reading
    patterns to the director (privacy/detectors.py); returns how many flags were written."""
    from xinqiao.privacy.services import flags_scan

    return len(flags_scan())
