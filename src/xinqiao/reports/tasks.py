"""Jobs of the reports app, run by the task queue (``xinqiao worker``)."""

from __future__ import annotations

import datetime

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from xinqiao.reports.models import ResearchExport
from xinqiao.reports.services_research import (
    research_export_make,
    research_exports_prune,
    research_exports_settle_stuck,
)


@db_task()
def research_export_task(export_id: int) -> None:
    export = ResearchExport.objects.filter(pk=export_id).first()
    if export is not None:
        research_export_make(export=export)


@db_periodic_task(crontab(hour="3", minute="40"))
def research_exports_prune_task() -> int:
    """Every night: clear the files kept past their days; exports whose worker was lost fail."""
    research_exports_settle_stuck(datetime.timedelta(hours=6))
    return research_exports_prune()
