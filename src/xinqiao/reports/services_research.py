"""Research and teaching exports (issue 16 item 3): de-identified, k-anonymous, watermarked,
logged and kept in a register (reports/models.py says why the file is kept encrypted for a few
days only).

The director asks for an export of their school (a district center for the schools of its
district); the task queue makes it (``research_export_make``), following the progress on the
register; the requester is told when it is ready. Making it and every download are written to
the access log as exports.

Services trust their caller: the view or API has decided that the actor may do this
(reports/rules.py).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinqiao.core.access_log import record_access
from xinqiao.core.deidentify_table import k_anonymise
from xinqiao.core.history import service
from xinqiao.core.models import AccessLog, User
from xinqiao.core.notifications import notify
from xinqiao.reports.models import KEEP_FILE_DAYS, ResearchExport
from xinqiao.reports.research_file import research_workbook
from xinqiao.reports.selectors_research import (
    SUBJECT,
    collect,
    column_heading,
    export_schools,
)

logger = logging.getLogger(__name__)

K_MIN, K_MAX = 2, 50
LONGEST_PERIOD = datetime.timedelta(days=366 * 5)


def _check(*, start, end, k, include) -> None:
    errors = {}
    if start > end:
        errors["period_end"] = _("The end of the period cannot be before its start.")
    elif end - start > LONGEST_PERIOD:
        errors["period_end"] = _("Choose a period of at most five years.")
    if not K_MIN <= k <= K_MAX:
        errors["k"] = _("k must be between %(min)s and %(max)s.") % {"min": K_MIN, "max": K_MAX}
    if not include or not set(include) <= set(ResearchExport.Include.values):
        errors["include"] = _("Choose what the export includes.")
    if errors:
        raise ValidationError(errors)


@service
def research_export_request(
    *,
    actor: User,
    period_start: datetime.date,
    period_end: datetime.date,
    k: int,
    include: list[str],
    school=None,
    district=None,
    submission_key: str | None = None,
    queue: bool = True,
) -> ResearchExport:
    """Record the export in the register and queue it (``queue=False``: the caller makes it,
    as the demo does); the same form sent twice makes one."""
    _check(start=period_start, end=period_end, k=k, include=include)
    if (school is None) == (district is None):
        raise ValidationError(_("Choose one school or one district."))
    if submission_key:
        same = ResearchExport.objects.filter(submission_key=submission_key).first()
        if same is not None:
            return same
    try:
        with transaction.atomic():
            export = ResearchExport.objects.create(
                school=school,
                district=district,
                period_start=period_start,
                period_end=period_end,
                k=k,
                include=[i for i in ResearchExport.Include.values if i in include],
                requested_by=actor,
                requested_by_name=actor.display_name,
                language=translation.get_language() or "",
                submission_key=submission_key or None,
            )
    except IntegrityError:
        return ResearchExport.objects.get(submission_key=submission_key)
    if queue:
        transaction.on_commit(lambda: _queue(export.pk))
    return export


def _queue(export_id: int) -> None:
    from xinqiao.reports.tasks import research_export_task

    research_export_task(export_id)


def _progress(export: ResearchExport, percent: int) -> None:
    ResearchExport.objects.filter(pk=export.pk).update(percent=min(percent, 99))


def research_export_make(*, export: ResearchExport) -> ResearchExport:
    """The task queue's part: read, de-identify, write the file, record it. Progress is saved
    as it goes (outside a transaction, so that the register page sees it)."""
    if export.status != ResearchExport.Status.RUNNING:
        return export
    try:
        with translation.override(export.language or settings.LANGUAGE_CODE):
            schools = export_schools(school=export.school, district=export.district)
            collected = collect(
                schools=schools,
                start=export.period_start,
                end=export.period_end,
                include=export.include,
                progress=lambda percent: _progress(export, percent),
            )
            _progress(export, 60)
            release = k_anonymise(collected.records, collected.quasi, k=export.k, subject=SUBJECT)
            _progress(export, 80)
            content = research_workbook(export, collected, release)
    except Exception as error:  # a failed export is recorded, not lost in the worker's log
        logger.exception("research export %s failed", export.pk)
        ResearchExport.objects.filter(pk=export.pk).update(
            status=ResearchExport.Status.FAILED,
            percent=100,
            finished_at=timezone.now(),
            message=str(error)[:300],
        )
        export.refresh_from_db()
        return export
    return _record_made(
        actor=export.requested_by,
        export=export,
        collected=collected,
        release=release,
        content=content,
    )


@service
def _record_made(
    *, actor: User | None, export, collected, release, content: bytes
) -> ResearchExport:
    """The export made: its counts, hash and encrypted file in the register (the change
    history names the requester as the author), the access log, the requester told."""
    now = timezone.now()
    export = ResearchExport.objects.select_for_update().get(pk=export.pk)
    export.status = ResearchExport.Status.DONE
    export.percent = 100
    export.finished_at = now
    export.cases_considered = collected.cases_considered
    export.left_out_no_consent = collected.left_out_no_consent
    export.rows_released = len(release.rows)
    export.rows_suppressed = release.suppressed
    export.smallest_group = release.smallest_group
    export.generalisation = {column_heading(q): str(d) for q, d in release.generalised.items()}
    export.file_sha256 = hashlib.sha256(content).hexdigest()
    export.file_name = (
        f"research-{export.period_start:%Y%m%d}-{export.period_end:%Y%m%d}-{export.pk}.xlsx"
    )
    export.content = base64.b64encode(content).decode("ascii")
    export.file_kept_until = now + datetime.timedelta(days=KEEP_FILE_DAYS)
    export.save()
    record_access(
        actor=export.requested_by,
        action=AccessLog.Action.EXPORT,
        obj=export,
        school_id=export.school_id,
        basis=_basis(export, "research export made"),
    )
    if export.requested_by is not None:
        notify(
            recipients=[export.requested_by],
            title=_("Your research export is ready: %(rows)s rows, k = %(k)s")
            % {"rows": export.rows_released, "k": export.k},
            url=reverse("reports:research_detail", args=[export.pk]),
            school_id=export.school_id,
        )
    return export


def _basis(export: ResearchExport, what: str) -> str:
    """The access log's ground, in English whatever the language of the request (the log
    shows it translated: privacy/basis.py)."""
    return (
        f"{what}: k={export.k}, {export.period_start:%Y-%m-%d}–{export.period_end:%Y-%m-%d}, "
        f"rows={export.rows_released}, sha256={export.file_sha256[:16]}"
    )


@service
def research_export_download(*, actor: User, export: ResearchExport, request=None) -> bytes:
    """The file, while it is kept; every download is written to the access log."""
    if not export.file_available:
        raise ValidationError(_("The file of this export is no longer kept. Make a new export."))
    record_access(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        obj=export,
        school_id=export.school_id,
        basis=_basis(export, "research export downloaded"),
        request=request,
    )
    ResearchExport.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
    return base64.b64decode(export.content)


def research_exports_prune(now: datetime.datetime | None = None) -> int:
    """Clear the files kept past their days (the register and the hashes stay)."""
    now = now or timezone.now()
    return (
        ResearchExport.objects.filter(file_kept_until__lt=now)
        .exclude(content="")
        .update(content="", file_kept_until=None)
    )


def research_exports_settle_stuck(older_than: datetime.timedelta) -> int:
    """An export still "being made" long after it began lost its worker: it failed."""
    return ResearchExport.objects.filter(
        status=ResearchExport.Status.RUNNING, created_at__lt=timezone.now() - older_than
    ).update(status=ResearchExport.Status.FAILED, percent=100, message="worker lost")
