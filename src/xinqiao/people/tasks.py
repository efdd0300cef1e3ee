"""Jobs of the people app, run by the task queue (``xinqiao worker``): roster imports, and the
semester that becomes current on its first day.

A large roster workbook is checked and written here rather than in the request; the job's
files, state and progress are kept by people.roster.jobs.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from xinqiao.people.roster.jobs import roster_jobs_prune, run_commit, run_validation
from xinqiao.people.roster.semesters import semesters_advance


@db_task()
def roster_validate_task(job_id: str) -> None:
    run_validation(job_id)


@db_task()
def roster_commit_task(job_id: str) -> None:
    run_commit(job_id)


@db_periodic_task(crontab(hour="4", minute="30"))
def roster_jobs_prune_task() -> int:
    return roster_jobs_prune()


@db_periodic_task(crontab(hour="0", minute="5"))
def semesters_advance_task() -> int:
    return semesters_advance()
