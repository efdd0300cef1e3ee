"""Roster imports from the web: the uploaded workbook, its progress, and the queue for a large one.

An import is a job of two files under ``DATA_DIR/imports/``: ``<id>.xlsx`` (the upload, deleted
once committed, cancelled or a day old) and ``<id>.json`` (state, progress, report). The JSON is
written to a temporary file and renamed over the old one, so the page polling it from any web
process never reads half of it while a worker writes it. Models are not the place: a job is a
day's scratch, not a record (the records are the roster and its change history).

States: validating → invalid | ready; ready → committing → done | invalid | failed; a job not yet
committing may be cancelled. Workbooks of more than ``BACKGROUND_ROWS`` rows are checked and
written by the task queue; smaller ones in the request.

The task queue's tasks are in people.tasks, where the worker finds them; they call
``run_validation``, ``run_commit`` and ``roster_jobs_prune`` here.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from xinqiao.core.models import User
from xinqiao.people.models import School
from xinqiao.people.roster.checks import roster_validate
from xinqiao.people.roster.format import RowError
from xinqiao.people.roster.semesters import SemesterChoice
from xinqiao.people.roster.workbook import workbook_row_count
from xinqiao.people.roster.writer import RosterInvalid, roster_import

logger = logging.getLogger(__name__)

BACKGROUND_ROWS = 500
KEEP_FOR = datetime.timedelta(days=1)


class State:
    VALIDATING = "validating"
    INVALID = "invalid"
    READY = "ready"
    COMMITTING = "committing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    RUNNING = frozenset({VALIDATING, COMMITTING})


@dataclass
class RosterJob:
    id: str
    user_id: int
    school_id: int
    semester: str  # SemesterChoice as text, "2026-1"
    filename: str
    rows: int
    state: str = State.VALIDATING
    done: int = 0
    total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # The numbers to confirm when too many students would leave (RosterPlan.departures_to_confirm).
    departures: dict[str, int] | None = None
    departures_confirmed: bool = False
    created_at: str = field(default_factory=lambda: timezone.now().isoformat())

    @property
    def json_path(self) -> Path:
        return imports_dir() / f"{self.id}.json"

    @property
    def workbook_path(self) -> Path:
        return imports_dir() / f"{self.id}.xlsx"

    @property
    def semester_choice(self) -> SemesterChoice:
        return SemesterChoice.parse(self.semester)

    @property
    def school(self) -> School:
        return School.objects.get(pk=self.school_id)

    @property
    def row_errors(self) -> list[RowError]:
        return [RowError.from_dict(e) for e in self.errors]

    @property
    def row_warnings(self) -> list[RowError]:
        return [RowError.from_dict(e) for e in self.warnings]

    @property
    def running(self) -> bool:
        return self.state in State.RUNNING

    @property
    def in_background(self) -> bool:
        return self.rows > BACKGROUND_ROWS

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _save(job: RosterJob) -> None:
    _write_atomically(job.json_path, json.dumps(asdict(job), ensure_ascii=False).encode())


def _load(job_id: str) -> RosterJob | None:
    try:
        uuid.UUID(job_id)
        data = json.loads((imports_dir() / f"{job_id}.json").read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    return RosterJob(**data)


def roster_job_get(*, user: User, job_id: str) -> RosterJob | None:
    """The job, if ``user`` started it; None for "missing" and "not yours" alike."""
    job = _load(str(job_id))
    if job is None or job.user_id != user.pk:
        return None
    return job


def roster_job_create(
    *, actor: User, school: School, semester: SemesterChoice, upload: UploadedFile
) -> RosterJob:
    """Keep the upload and check it: in this request, or by the task queue when it is large."""
    roster_jobs_prune()
    job = RosterJob(
        id=str(uuid.uuid4()),
        user_id=actor.pk,
        school_id=school.pk,
        semester=str(semester),
        filename=Path(upload.name or "").name[:200],
        rows=0,
    )
    _write_atomically(job.workbook_path, b"".join(upload.chunks()))
    job.rows = workbook_row_count(job.workbook_path)
    _save(job)
    if job.in_background:
        from xinqiao.people import tasks  # the task module imports this one

        tasks.roster_validate_task(job.id)
    else:
        run_validation(job.id)
    return _load(job.id) or job


def roster_job_confirm(*, actor: User, job: RosterJob, departures_confirmed: bool = False) -> bool:
    """Start writing a checked workbook; False when it is not ready (or already started), or
    when it would mark many students as having left and ``departures_confirmed`` is not given."""
    if job.state != State.READY or job.user_id != actor.pk:
        return False
    if job.departures and not departures_confirmed:
        return False
    try:  # one claim per job, whichever process gets there first (a double click, two tabs)
        os.close(os.open(imports_dir() / f"{job.id}.lock", os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    job.state, job.done, job.total = State.COMMITTING, 0, 0
    job.departures_confirmed = departures_confirmed
    _save(job)
    if job.in_background:
        from xinqiao.people import tasks

        tasks.roster_commit_task(job.id)
    else:
        run_commit(job.id)
    return True


def roster_job_cancel(*, actor: User, job: RosterJob) -> bool:
    if job.running or job.state in (State.DONE, State.CANCELLED) or job.user_id != actor.pk:
        return False
    job.state = State.CANCELLED
    _save(job)
    job.workbook_path.unlink(missing_ok=True)
    return True


def run_validation(job_id: str) -> None:
    job = _load(job_id)
    if job is None or job.state != State.VALIDATING:
        return
    try:
        plan = roster_validate(
            school=job.school, semester=job.semester_choice, source=job.workbook_path
        )
    except Exception:
        logger.exception("roster validation failed", extra={"job": job.id})
        _finish(job, State.FAILED)
        return
    job.errors = [e.as_dict() for e in plan.errors]
    job.warnings = [e.as_dict() for e in plan.warnings]
    job.counts = plan.counts
    job.departures = plan.departures_to_confirm
    job.rows = plan.rows or job.rows
    _finish(job, State.READY if plan.ok else State.INVALID)
    if not plan.ok:
        job.workbook_path.unlink(missing_ok=True)


def run_commit(job_id: str) -> None:
    job = _load(job_id)
    if job is None or job.state != State.COMMITTING:
        return

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        _save(job)

    try:
        result = roster_import(
            actor=User.objects.filter(pk=job.user_id).first(),
            school=job.school,
            semester=job.semester_choice,
            source=job.workbook_path,
            progress=progress,
            confirm_departures=job.departures_confirmed,
        )
    except RosterInvalid as invalid:  # the school changed since the check
        job.errors = [e.as_dict() for e in invalid.plan.errors]
        job.counts = invalid.plan.counts
        _finish(job, State.INVALID)
    except Exception:
        logger.exception("roster import failed", extra={"job": job.id})
        _finish(job, State.FAILED)
    else:
        job.counts = result.counts
        _finish(job, State.DONE)
        logger.info("roster imported", extra={"job": job.id, "school_id": job.school_id})
    job.workbook_path.unlink(missing_ok=True)


def _finish(job: RosterJob, state: str) -> None:
    job.state = state
    job.done = job.total = job.total or 1
    _save(job)


def roster_jobs_prune(*, older_than: datetime.timedelta = KEEP_FOR) -> int:
    """Delete the files of jobs older than ``older_than``: uploads hold personal data."""
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    removed = 0
    for path in imports_dir().iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed
