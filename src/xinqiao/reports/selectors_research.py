"""What a research export reads: one record per case of the period, with raw quasi-identifiers
(the engine generalises them) and the figures researchers use. Nothing here is released as it
is: reports/services_research.py passes the records through core/deidentify_table.py.

No direct identifier is ever read into a record: no name, student number, class, dormitory,
case number, exact date or free text (problem, notes, summaries are encrypted text and stay
where they are). The student's grade is the one of the semester the case opened in (the
student's placement), else the present one.

Consent (seed 000: 由于专业工作需要采用案例，必须征得当事人同意; DESIGN.md principle 3): every row
is case-level data, so every case needs the research consent in force today (a guardian's for a
minor: cases/services_consent.py ``consent_in_force``, the same check typical cases make).
Cases without it are left out and counted. A consent withdrawn later takes the case out of the
next export; the register records what each export released.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinqiao.cases.models import Case, Consent, ProblemCategory, SessionRecord
from xinqiao.cases.services_consent import consent_in_force
from xinqiao.core.deidentify_table import (
    Hierarchy,
    age_hierarchy,
    age_on,
    date_hierarchy,
    duration_weeks,
    grade_hierarchy,
    mapped_hierarchy,
    plain_hierarchy,
)
from xinqiao.people.models import Gender, Grade, School, Semester, StudentPlacement
from xinqiao.screening.models import Response
from xinqiao.screening.selectors import band_label, scale_name

# Problem categories merged for the coarser level (ProblemCategory.DEFAULTS keys).
CATEGORY_GROUPS = {
    "learning": "learning_adaptation",
    "adaptation": "learning_adaptation",
    "emotion": "emotion_safety",
    "self_harm": "emotion_safety",
    "relationships": "relations_family",
    "family": "relations_family",
    "behaviour": "behaviour_life",
    "life": "behaviour_life",
}


def category_group_labels() -> dict[str, str]:
    return {
        "learning_adaptation": _("learning and adaptation"),
        "emotion_safety": _("emotion and safety"),
        "relations_family": _("relationships and family"),
        "behaviour_life": _("behaviour and daily life"),
    }


def category_groups() -> dict[str, str]:
    """A category's name (as a school may have saved it, in Chinese or English) → its group."""
    labels = category_group_labels()  # in the export's language
    groups: dict[str, str] = {}
    for key, label in ProblemCategory.DEFAULTS:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                groups[str(label)] = labels[CATEGORY_GROUPS[key]]
    return groups


@dataclass
class Collected:
    records: list[dict[str, Any]]
    quasi: dict[str, Hierarchy]
    columns: list[str]  # the other columns, in order
    cases_considered: int
    left_out_no_consent: int
    notes: list[str] = field(default_factory=list)


def export_schools(*, school: School | None, district) -> list[School]:
    if school is not None:
        return [school]
    return list(School.objects.filter(district=district).order_by("name", "pk"))


def collect(
    *,
    schools: list[School],
    start: datetime.date,
    end: datetime.date,
    include: list[str],
    progress: Callable[[int], None] = lambda percent: None,
) -> Collected:
    """The raw records of the cases opened in [start, end] at ``schools`` that have the
    research consent; brief contacts are not cases of work and are not counted."""
    school_ids = [s.pk for s in schools]
    cases = list(
        Case.objects.filter(
            school_id__in=school_ids,
            brief_contact=False,
            opened_at__date__gte=start,
            opened_at__date__lte=end,
        )
        .select_related("student__school_class__grade", "assessment")
        .prefetch_related("categories")
        .annotate(
            sessions=Count(
                "records",
                filter=Q(
                    records__kind__in=[SessionRecord.Kind.INDIVIDUAL, SessionRecord.Kind.GROUP]
                ),
            ),
        )
        .order_by("opened_at", "pk")
    )
    consented, left_out = [], 0
    for index, case in enumerate(cases):
        if consent_in_force(student=case.student, purpose=Consent.Purpose.RESEARCH, case=case):
            consented.append(case)
        else:
            left_out += 1
        if index % 50 == 0:
            progress(10 + 40 * index // max(1, len(cases)))
    grades = _grades_at_opening(consented, school_ids)
    bands = _screening_bands(consented, start, end) if "screening" in include else {}
    groups = category_groups()
    school_labels = _school_labels(schools)
    records: list[dict[str, Any]] = []
    scale_columns: list[str] = sorted({scale for by_scale in bands.values() for scale in by_scale})
    today = timezone.localdate()
    for case in consented:
        opened = timezone.localdate(case.opened_at)
        student = case.student
        categories = sorted(case.categories.all(), key=lambda c: (c.order, c.name))
        record: dict[str, Any] = {
            SUBJECT: student.pk,
            COL_SCHOOL: school_labels[case.school_id],
            COL_GENDER: str(Gender(student.gender).label) if student.gender else "",
            COL_AGE: age_on(student.birth_date, opened),
            COL_GRADE: grades.get(case.pk, ("", None)),
            COL_MONTH: opened,
            COL_CATEGORY: categories[0].name if categories else "",
        }
        if "assessment" in include:
            assessment = getattr(case, "assessment", None)
            record[COL_SEVERITY] = _severity(case, assessment)
            record[COL_CONFERENCE] = (
                (_("yes") if assessment.requires_conference else _("no")) if assessment else ""
            )
            record[COL_CATEGORY_COUNT] = len(categories)
        if "statistics" in include:
            ended = timezone.localdate(case.closed_at) if case.closed_at else min(today, end)
            record[COL_CHANNEL] = str(Case.Channel(case.channel).label)
            record[COL_WEEKS] = duration_weeks(opened, max(opened, ended))
            record[COL_SESSIONS] = case.sessions
            record[COL_OUTCOME] = (
                pgettext("research export", "closed")
                if case.state in (Case.State.CLOSED, Case.State.ARCHIVED)
                else pgettext("research export", "ongoing")
            )
        for scale in scale_columns:
            record[scale] = bands.get(case.student_id, {}).get(scale, "")
        records.append(record)
    quasi = {
        COL_GENDER: plain_hierarchy(COL_GENDER),
        COL_AGE: age_hierarchy(COL_AGE),
        COL_GRADE: grade_hierarchy(COL_GRADE),
        COL_MONTH: date_hierarchy(COL_MONTH),
        COL_CATEGORY: mapped_hierarchy(COL_CATEGORY, groups, str(_("other"))),
    }
    if len(schools) > 1:
        quasi = {COL_SCHOOL: plain_hierarchy(COL_SCHOOL), **quasi}
    else:
        for record in records:
            del record[COL_SCHOOL]
    columns = _other_columns(include)
    return Collected(
        records=records,
        quasi=quasi,
        columns=columns + scale_columns,
        cases_considered=len(cases),
        left_out_no_consent=left_out,
    )


# Whose row it is: groups are counted in students (core/deidentify_table.py); never released.
SUBJECT = "_student"
# Column names are the export's headings (translated when the export is made).
COL_SCHOOL = "school"
COL_GENDER = "gender"
COL_AGE = "age"
COL_GRADE = "grade"
COL_MONTH = "month opened"
COL_CATEGORY = "problem category"
COL_SEVERITY = "severity"
COL_CONFERENCE = "case conference needed"
COL_CATEGORY_COUNT = "number of problem categories"
COL_CHANNEL = "channel"
COL_WEEKS = "duration (weeks)"
COL_SESSIONS = "counseling sessions"
COL_OUTCOME = "outcome"


def column_heading(column: str) -> str:
    headings = {
        COL_SCHOOL: _("school"),
        COL_GENDER: _("gender"),
        COL_AGE: _("age band"),
        COL_GRADE: _("grade"),
        COL_MONTH: _("month opened"),
        COL_CATEGORY: _("problem category"),
        COL_SEVERITY: _("severity"),
        COL_CONFERENCE: _("case conference needed"),
        COL_CATEGORY_COUNT: _("number of problem categories"),
        COL_CHANNEL: _("channel"),
        COL_WEEKS: _("duration (weeks)"),
        COL_SESSIONS: _("counseling sessions"),
        COL_OUTCOME: _("outcome"),
    }
    if column in headings:
        return headings[column]
    return _("screening: %(scale)s") % {"scale": column}


def _other_columns(include: list[str]) -> list[str]:
    columns = []
    if "assessment" in include:
        columns += [COL_SEVERITY, COL_CONFERENCE, COL_CATEGORY_COUNT]
    if "statistics" in include:
        columns += [COL_CHANNEL, COL_WEEKS, COL_SESSIONS, COL_OUTCOME]
    return columns


def _severity(case: Case, assessment) -> str:
    from xinqiao.cases.models import Severity

    value = (assessment.severity if assessment else "") or case.severity
    return str(Severity(value).label) if value else ""


def _school_labels(schools: list[School]) -> dict[int, str]:
    """Schools by a letter, not their names (a district's export compares schools, it does
    not name them): 学校A, 学校B ... in the order of their names."""
    labels = {}
    for index, school in enumerate(schools):
        letter = chr(ord("A") + index) if index < 26 else str(index + 1)
        labels[school.pk] = _("school %(letter)s") % {"letter": letter}
    return labels


def _grades_at_opening(cases: list[Case], school_ids: list[int]) -> dict[int, tuple[str, int]]:
    """Per case: (grade name, level) of the student in the semester the case opened in."""
    semesters = list(Semester.objects.filter(school_id__in=school_ids))
    levels = {
        (school_id, name): level
        for school_id, name, level in Grade.objects.filter(school_id__in=school_ids).values_list(
            "school_id", "name", "level"
        )
    }
    placements = {
        (student_id, semester_id): grade_name
        for student_id, semester_id, grade_name in StudentPlacement.objects.filter(
            student_id__in={c.student_id for c in cases}
        ).values_list("student_id", "semester_id", "grade_name")
    }
    found: dict[int, tuple[str, int]] = {}
    for case in cases:
        opened = timezone.localdate(case.opened_at)
        semester = next(
            (
                s
                for s in semesters
                if s.school_id == case.school_id and s.starts_on <= opened <= s.ends_on
            ),
            None,
        )
        name = placements.get((case.student_id, semester.pk)) if semester else None
        if not name and case.student.school_class_id:
            name = case.student.school_class.grade.name
        found[case.pk] = (name or "", levels.get((case.school_id, name)))
    return found


def _screening_bands(
    cases: list[Case], start: datetime.date, end: datetime.date
) -> dict[int, dict[str, str]]:
    """Per student: the band of each scale in the latest campaign result of the period (bands
    only, never scores or answers)."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    responses = (
        Response.objects.filter(
            participation__student_id__in={c.student_id for c in cases},
            participation__campaign__isnull=False,
            participation__submitted_at__date__gte=start,
            participation__submitted_at__date__lte=end,
            scored_at__isnull=False,
        )
        .order_by("participation__submitted_at", "pk")
        .values_list("participation__student_id", "scale_id", "scale_version", "band")
    )
    for student_id, scale_id, version, band in responses:
        found[student_id][scale_name(scale_id, version)] = band_label(scale_id, version, band)
    return found
