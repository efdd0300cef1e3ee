"""Reads of the student file (一人一档) and of the archive catalogue (档案目录).

Seed 001: "负责建立学生心理辅导'一人一档案'制度" and "必须有档案的目录清单，一旦有需要必须在最快
的时间里将资料调出". The student file gathers everything the reader may read about one student in
a fixed, small number of queries, however many cases and records there are; the catalogue
finds a file by an indexed lookup (catalogue number, student number) or a name within one
school's roster.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinqiao.cases import retention
from xinqiao.cases.models import (
    ALL_PARTS,
    Case,
    CaseCounselor,
    Conference,
    ConferenceParticipant,
    Consent,
    Evaluation,
    MeasureActivity,
    PlanMeasure,
    Referral,
    SessionRecord,
    Severity,
    StageSummary,
    SupportPlan,
)
from xinqiao.crisis.models import Alert
from xinqiao.people.models import GuardianLink, Semester, Student, StudentCircumstances


# --- the student file ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    """One dated step in the student's file; ``anchor`` points at its full text on the page."""

    at: datetime.datetime
    kind: str
    label: str
    anchor: str
    case: Case | None = None
    detail: str = ""
    # A step known by its date alone (a summary, an evaluation, a consent) shows no time.
    date_only: bool = False

    @property
    def when(self) -> str:
        """The local date (and time) as the page shows it; formatted here, not in the template,
        because a long file has hundreds of steps and the template's date filter is slow."""
        return timezone.localtime(self.at).strftime(
            "%Y-%m-%d" if self.date_only else "%Y-%m-%d %H:%M"
        )


@dataclass
class StudentFile:
    student: Student
    guardians: list[GuardianLink]
    circumstances: StudentCircumstances | None
    shows_circumstances: bool
    cases: list[Case]
    consents: list[Consent]
    alerts: list[Alert]
    timeline: list[TimelineEntry] = field(default_factory=list)
    # False on the page: the texts of session records load when the reader opens them.
    record_texts: bool = True

    @property
    def record_count(self) -> int:
        return sum(len(case.records.all()) for case in self.cases)


RECORD_TEXT_FIELDS = ("problem", "measures_taken", "effect", "next_step")


def file_cases_for_user(user, student: Student, *, record_texts: bool = True) -> QuerySet[Case]:
    """Every case of ``student`` that ``user`` may read, with all its parts prefetched.

    Without ``record_texts`` the session records come without their (encrypted) texts: the
    page lists them and loads a case's texts when the reader opens them; print and export
    take everything.

    One query per kind of part, whatever the number of cases: the file of a student with ten
    cases and two hundred records opens with as many queries as one with a single case.
    """
    return (
        Case.objects.for_user(user)
        .filter(student_id=student.pk)
        .select_related(
            "opened_by", "closed_by", "referred_by", "archive_semester", "assessment__assessed_by"
        )
        .prefetch_related(
            "categories",
            Prefetch(
                "counselors",
                queryset=CaseCounselor.objects.select_related("user"),
            ),
            Prefetch(
                "conferences",
                queryset=Conference.objects.select_related("convened_by").order_by(
                    "scheduled_at", "pk"
                ),
            ),
            Prefetch(
                "conferences__participants",
                queryset=ConferenceParticipant.objects.select_related("user"),
            ),
            Prefetch(
                "plans",
                queryset=SupportPlan.objects.select_related("created_by", "approved_by").order_by(
                    "version"
                ),
            ),
            Prefetch(
                "plans__measures",
                queryset=PlanMeasure.objects.select_related("responsible").order_by(
                    "starts_on", "pk"
                ),
            ),
            Prefetch(
                "plans__measures__activities",
                queryset=MeasureActivity.objects.order_by("on", "pk"),
            ),
            Prefetch("records", queryset=records_of_cases(texts=record_texts)),
            Prefetch(
                "summaries",
                queryset=StageSummary.objects.select_related("written_by").order_by(
                    "period_end", "pk"
                ),
            ),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("recorded_by").order_by(
                    "evaluated_on", "pk"
                ),
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related(
                    "to_counselor", "to_service", "consent", "referred_by"
                ).order_by("referred_at", "pk"),
            ),
        )
        .order_by("opened_at", "pk")
    )


# The prefetched relations each part of a case holds (the intake and header always show).
PART_RELATIONS = {
    "conferences": ("conferences",),
    "plan": ("plans",),
    "records": ("records", "summaries"),
    "evaluations": ("evaluations",),
    "referrals": ("referrals",),
}


def narrow_to_parts(user, cases: list[Case]) -> list[Case]:
    """The cases as ``user`` may read them: a part an access grant does not open is emptied
    (issue 16: a narrowed grant must not leak through the file, its print or its export).
    A reader of the whole case costs nothing here."""
    for case in cases:
        case.reader_parts = parts = case.parts_read_by(user)
        if parts == ALL_PARTS:
            continue
        cache = getattr(case, "_prefetched_objects_cache", {})
        for part, relations in PART_RELATIONS.items():
            if part not in parts:
                for relation in relations:
                    if relation in cache:
                        cache[relation] = cache[relation].none()
        if "assessment" not in parts:
            case._state.fields_cache["assessment"] = None
        if "records" not in parts:
            case.closing_summary = ""
    return cases


def records_of_cases(*, texts: bool = True) -> QuerySet[SessionRecord]:
    records = SessionRecord.objects.select_related("written_by").order_by("held_at", "pk")
    return records if texts else records.defer(*RECORD_TEXT_FIELDS)


def student_file_for_user(user, student: Student, *, record_texts: bool = True) -> StudentFile:
    """What ``user`` may read of the student's file: the caller has checked
    ``cases.view_student_file`` and records the read."""
    cases = narrow_to_parts(
        user, list(file_cases_for_user(user, student, record_texts=record_texts))
    )
    case_ids = [case.pk for case in cases]
    # A consent tied to a case the reader may not read would betray that case.
    consents = list(
        Consent.objects.for_user(user)
        .filter(student_id=student.pk)
        .filter(Q(case__isnull=True) | Q(case_id__in=case_ids))
        .select_related("recorded_by")
        .order_by("given_on", "pk")
    )
    referrals_read = {case.pk for case in cases if "referrals" in case.reader_parts}
    consents = [c for c in consents if c.case_id is None or c.case_id in referrals_read]
    numbers = {case.pk: case.number for case in cases}
    by_case: dict[int | None, list[Consent]] = defaultdict(list)
    for consent in consents:
        consent.file_case_number = numbers.get(consent.case_id, "")
        by_case[consent.case_id].append(consent)
    for case in cases:
        case.file_consents = by_case.get(case.pk, [])
    retention.mark_kept_until(cases, student)
    alerts = list(
        Alert.objects.for_user(user)
        .filter(student_id=student.pk)
        .select_related("raised_by")
        .order_by("raised_at", "pk")
    )
    shows_circumstances = user.has_perm("people.view_student_circumstances", student)
    circumstances = (
        StudentCircumstances.objects.filter(student_id=student.pk).first()
        if shows_circumstances
        else None
    )
    guardians = list(
        GuardianLink.objects.filter(student_id=student.pk)
        .select_related("guardian")
        .order_by("guardian__name")
    )
    result = StudentFile(
        student=student,
        guardians=guardians,
        circumstances=circumstances,
        shows_circumstances=shows_circumstances,
        cases=cases,
        consents=consents,
        alerts=alerts,
        record_texts=record_texts,
    )
    result.timeline = timeline(result)
    return result


def _at(day: datetime.date, written: datetime.datetime | None = None) -> datetime.datetime:
    """Where a dated step sorts: when it was written down if that was on the day itself, else
    the end of its day (a summary or an evaluation follows what happened that day)."""
    if written is not None and timezone.localtime(written).date() == day:
        return written
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def timeline(student_file: StudentFile) -> list[TimelineEntry]:
    """Every dated step of the file in time order, oldest first."""
    entries: list[TimelineEntry] = []
    add = entries.append
    for case in student_file.cases:
        number = {"number": case.number}
        add(
            TimelineEntry(
                case.opened_at,
                "opened",
                _("Case %(number)s opened") % number,
                f"case-{case.pk}",
                case,
                case.get_channel_display(),
            )
        )
        assessment = getattr(case, "assessment", None)
        if assessment is not None:
            add(
                TimelineEntry(
                    assessment.assessed_at,
                    "assessment",
                    _("Needs assessment"),
                    f"case-{case.pk}-assessment",
                    case,
                    assessment.get_severity_display(),
                )
            )
        for conference in case.conferences.all():
            add(
                TimelineEntry(
                    conference.held_at or conference.scheduled_at,
                    "conference",
                    _("Case conference"),
                    f"conference-{conference.pk}",
                    case,
                    conference.get_state_display(),
                )
            )
        for plan in case.plans.all():
            add(
                TimelineEntry(
                    plan.approved_at or plan.created_at,
                    "plan",
                    _("Support plan, version %(version)s") % {"version": plan.version},
                    f"plan-{plan.pk}",
                    case,
                    plan.get_state_display(),
                )
            )
        # Session records in one line per case and month: a long follow-up has hundreds, and
        # each stands in full in the case's section below (the anchor leads there).
        by_month: dict[tuple[int, int], list] = {}
        for record in case.records.all():
            held = timezone.localtime(record.held_at)
            by_month.setdefault((held.year, held.month), []).append(record)
        for month_records in by_month.values():
            first = min(month_records, key=lambda r: r.held_at)
            count = len(month_records)
            add(
                TimelineEntry(
                    first.held_at,
                    "record",
                    ngettext("%(count)s session record", "%(count)s session records", count)
                    % {"count": count},
                    f"case-{case.pk}-records",
                    case,
                    first.place if count == 1 else "",
                )
            )
        for summary in case.summaries.all():
            add(
                TimelineEntry(
                    _at(summary.period_end, summary.written_at),
                    "summary",
                    _("Stage summary"),
                    f"summary-{summary.pk}",
                    case,
                    date_only=True,
                )
            )
        for evaluation in case.evaluations.all():
            add(
                TimelineEntry(
                    _at(evaluation.evaluated_on, evaluation.recorded_at),
                    "evaluation",
                    _("Effect evaluation"),
                    f"evaluation-{evaluation.pk}",
                    case,
                    _("self-rating %(rating)s") % {"rating": evaluation.student_rating},
                    date_only=True,
                )
            )
        for referral in case.referrals.all():
            add(
                TimelineEntry(
                    referral.referred_at,
                    "referral",
                    _("Referral"),
                    f"referral-{referral.pk}",
                    case,
                    referral.get_kind_display(),
                )
            )
        if case.closed_at:
            add(
                TimelineEntry(
                    case.closed_at,
                    "closed",
                    _("Case %(number)s closed") % number,
                    f"case-{case.pk}-closure",
                    case,
                )
            )
        if case.archived_at:
            add(
                TimelineEntry(
                    case.archived_at,
                    "archived",
                    _("Case %(number)s archived") % number,
                    f"case-{case.pk}-closure",
                    case,
                    case.archive_number,
                )
            )
    for consent in student_file.consents:
        add(
            TimelineEntry(
                _at(consent.given_on, consent.recorded_at),
                "consent",
                _("Consent"),
                f"consent-{consent.pk}",
                None,
                consent.get_purpose_display(),
                date_only=True,
            )
        )
    for alert in student_file.alerts:
        add(
            TimelineEntry(
                alert.raised_at,
                "alert",
                _("Crisis alert"),
                f"alert-{alert.pk}",
                None,
                alert.get_risk_level_display(),
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries


# --- the archive catalogue ----------------------------------------------------------------------
def _count_of(model, relation: str = "case") -> Subquery:
    counted = (
        model.objects.filter(**{relation: OuterRef("pk")})
        .order_by()
        .values(relation)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def archived_cases(school_ids: list[int]) -> QuerySet[Case]:
    """The catalogue's rows: archived cases of the schools, with the counts of their contents."""
    return (
        Case.objects.filter(school_id__in=school_ids, state=Case.State.ARCHIVED)
        .select_related("student__school_class__grade", "archive_semester", "school")
        .annotate(
            record_count=_count_of(SessionRecord),
            summary_count=_count_of(StageSummary),
            evaluation_count=_count_of(Evaluation),
        )
        .order_by("-archived_at", "-pk")
    )


def search_archive(cases: QuerySet[Case], query: str, *, school_ids: list[int]) -> QuerySet[Case]:
    """A catalogue number or student number (both indexed per school), or a student's name.

    Numbers match exactly or by their beginning (``DA-2026-1`` finds that semester's files);
    names are looked up among the roster of the school, then the cases by the student index.
    """
    query = query.strip()
    if not query:
        return cases
    students = Student.objects.filter(
        Q(student_number=query) | Q(name__contains=query),
        school_id__in=school_ids,
    ).values("pk")
    return cases.filter(
        Q(archive_number=query)
        | Q(archive_number__startswith=query.upper())
        | Q(student_id__in=students)
    )


def filter_archive(
    cases: QuerySet[Case],
    *,
    semester: str = "",
    severity: str = "",
    past_retention: bool = False,
    school_ids: list[int] = (),
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    if semester.isdigit():
        cases = cases.filter(archive_semester_id=int(semester))
    if severity == "brief":
        cases = cases.filter(brief_contact=True)
    elif severity in Severity.values:
        cases = cases.filter(severity=severity, brief_contact=False)
    if past_retention:
        cases = retention.past_in_schools(cases, school_ids, today or timezone.localdate())
    return cases


def semesters_of(school_ids: list[int]) -> QuerySet[Semester]:
    return Semester.objects.filter(school_id__in=school_ids).select_related("school")


def cases_to_archive(semester: Semester) -> QuerySet[Case]:
    """What ``services.archive_semester`` will archive: the school's cases closed by the end of
    the semester (the same filter, so that the confirmation tells the truth)."""
    return (
        Case.objects.filter(
            school_id=semester.school_id,
            state=Case.State.CLOSED,
            closed_at__date__lte=semester.ends_on,
        )
        .select_related("student__school_class__grade")
        .order_by("closed_at", "pk")
    )
