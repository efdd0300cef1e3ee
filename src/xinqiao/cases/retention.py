"""The case file's retention (core/retention.py): an archived case, with its records, plans,
assessments, conferences, referrals, consents and typical case, is kept until the later of the
date set when it was archived (``RETENTION_YEARS`` by severity) and the student's 18th birthday
plus the school's period. Graduated students and those who left follow the same rule."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xinqiao.cases.models import RETENTION_YEARS, Case, Consent, Referral, TypicalCase
from xinqiao.core import retention
from xinqiao.core.access import NOTHING
from xinqiao.core.retention import RecordType, ReviewRow
from xinqiao.people.models import Student

CASE_FILES = "cases.case"


def _past_q(years: int, today: datetime.date) -> Q:
    return retention.of_age_q(today, years, birth="student__birth_date", fallback="opened_at") & Q(
        state=Case.State.ARCHIVED, retention_until__lt=today
    )


def past_case_files(school_id: int, years: int, today: datetime.date) -> QuerySet[Case]:
    return Case.objects.filter(_past_q(years, today), school_id=school_id)


def past_in_schools(
    cases: QuerySet[Case], school_ids: list[int], today: datetime.date
) -> QuerySet[Case]:
    """The archive catalogue's "past retention" filter: the same rule, each school under its
    own period."""
    past = NOTHING
    for school_id in school_ids:
        years = retention.years_for(school_id, CASE_FILES)
        past |= Q(school_id=school_id) & _past_q(years, today)
    return cases.filter(past)


def kept_until(case: Case, years: int, birth_date: datetime.date | None) -> datetime.date | None:
    """The day an archived file may go after: the date set at archiving or the student's 18th
    birthday plus ``years``, whichever is later."""
    if case.retention_until is None:
        return None
    opened = timezone.localdate(case.opened_at)
    return max(case.retention_until, retention.of_age_until(birth_date, opened, years))


def mark_kept_until(cases: list[Case], student: Student | None = None) -> None:
    """Set ``kept_until`` on each case (of ``student``, or with its student loaded): one
    period lookup per school, none when no case is archived."""
    years: dict[int, int] = {}
    for case in cases:
        case.kept_until = None
        if case.retention_until is None:
            continue
        if case.school_id not in years:
            years[case.school_id] = retention.years_for(case.school_id, CASE_FILES)
        birth_date = (student or case.student).birth_date
        case.kept_until = kept_until(case, years[case.school_id], birth_date)


def case_file_rows(cases: QuerySet[Case], years: int) -> list[ReviewRow]:
    cases = cases.select_related("student__school_class__grade").order_by("archived_at", "pk")
    rows = []
    for case in cases:
        student = case.student
        unit = student.school_class or student.get_status_display()
        rows.append(
            ReviewRow(
                case.pk,
                f"{case.archive_number or case.number} · {student.name} · {unit}",
                timezone.localdate(case.archived_at) if case.archived_at else None,
                kept_until(case, years, student.birth_date),
            )
        )
    return rows


def delete_case_files(cases: QuerySet[Case]) -> int:
    """The whole file goes: what hangs on the case by a protected link first."""
    ids = list(cases.values_list("pk", flat=True))
    retention.delete_with_history(TypicalCase.objects.filter(case_id__in=ids))
    retention.delete_with_history(Referral.objects.filter(case_id__in=ids))
    retention.delete_with_history(Consent.objects.filter(case_id__in=ids))
    return retention.delete_with_history(Case.objects.filter(pk__in=ids))


def register() -> None:
    retention.register(
        RecordType(
            key=CASE_FILES,
            label=_("case files"),
            counted_from=format_lazy(
                _(
                    "the student's 18th birthday, and never before the date set at archiving "
                    "({years} years after it: brief contact, general, serious, crisis)"
                ),
                years=" / ".join(str(years) for years in RETENTION_YEARS.values()),
            ),
            default_years=3,
            minimum_years=3,
            past=past_case_files,
            rows=case_file_rows,
            dispose=delete_case_files,
        )
    )
