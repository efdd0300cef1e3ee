"""What the cases API answers with (django-ninja schemas).

``CaseOut`` is what a list may carry: the case's number, state and dates, never what the case
is about. The text (the problem, the background, the assessment, the records) is only in the
detail schemas, which the API serves case by case, to readers, with each read in the access log.
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from xinqiao.cases.models import Case, CaseCounselor, SessionRecord

# The list's state filter: "open" (intake to closing), "awaiting_approval" (a draft plan or a
# closure for the director) or one state.
StateFilter = Literal[("open", "awaiting_approval", *Case.State.values)]  # type: ignore[valid-type]


class CaseOut(Schema):
    id: int
    number: str
    school_id: int
    student_id: int
    student_name: str
    class_name: str | None
    state: str
    state_label: str
    severity: str
    channel: str
    urgency: str
    brief_contact: bool
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    archived_at: datetime.datetime | None
    archive_number: str
    lead_counselor: str | None

    @staticmethod
    def resolve_student_name(case: Case) -> str:
        return case.student.name

    @staticmethod
    def resolve_class_name(case: Case) -> str | None:
        school_class = case.student.school_class
        return str(school_class.name) if school_class is not None else None

    @staticmethod
    def resolve_state_label(case: Case) -> str:
        return str(case.get_state_display())

    @staticmethod
    def resolve_lead_counselor(case: Case) -> str | None:
        # counselors are prefetched with their users (ordered lead first)
        lead = next((c for c in case.counselors.all() if c.is_lead), None)
        return lead.user.display_name if lead is not None else None


class CategoryOut(Schema):
    id: int
    name: str


class CounselorOut(Schema):
    user_id: int
    name: str
    is_lead: bool

    @staticmethod
    def resolve_name(assignment: CaseCounselor) -> str:
        return assignment.user.display_name


class AssessmentOut(Schema):
    severity: str
    requires_conference: bool
    measures_needed: str
    notes: str
    assessed_at: datetime.datetime


class CaseDetailOut(CaseOut):
    brought_by: str
    referred_by: str | None
    problem: str
    background: str
    closing_summary: str
    categories: list[CategoryOut]
    counselors: list[CounselorOut]
    assessment: AssessmentOut | None
    record_count: int

    @staticmethod
    def resolve_referred_by(case: Case) -> str | None:
        return case.referred_by.display_name if case.referred_by_id else None

    @staticmethod
    def resolve_categories(case: Case) -> list:
        return list(case.categories.all())

    @staticmethod
    def resolve_counselors(case: Case) -> list:
        return list(case.counselors.all())

    # ``reader_parts``: what the caller reads of the case (set by the view; an access grant
    # may open some parts only, issue 16).
    @staticmethod
    def resolve_assessment(case: Case):
        if "assessment" not in getattr(case, "reader_parts", ()):
            return None
        return getattr(case, "assessment", None)

    @staticmethod
    def resolve_closing_summary(case: Case) -> str:
        return case.closing_summary if "records" in getattr(case, "reader_parts", ()) else ""

    @staticmethod
    def resolve_record_count(case: Case) -> int:
        return case.records.count() if "records" in getattr(case, "reader_parts", ()) else 0


class RecordOut(Schema):
    id: int
    case_id: int
    kind: str
    held_at: datetime.datetime
    place: str
    participants: str
    problem: str
    measures_taken: str
    effect: str
    next_step: str
    written_by: str | None
    written_at: datetime.datetime

    @staticmethod
    def resolve_written_by(record: SessionRecord) -> str | None:
        return record.written_by.display_name if record.written_by_id else None


class RecordIn(Schema):
    """A session or contact record (seed 003 工作记录). Send the same ``submission_key`` again
    (after a dropped connection, say) and the record is stored once."""

    kind: SessionRecord.Kind
    held_at: datetime.datetime
    place: str = Field(max_length=100)
    problem: str = Field(max_length=8000)
    measures_taken: str = Field(max_length=8000)
    participants: str = Field("", max_length=200)
    effect: str = Field("", max_length=4000)
    next_step: str = Field("", max_length=4000)
    submission_key: str | None = Field(None, max_length=64)
    student_agreed: bool = Field(
        False,
        description=(
            "An individual or group session needs the student's agreement to counseling "
            "(知情自愿) in force for the case; true records it with this record when none is."
        ),
    )


class FigureOut(Schema):
    key: str
    label: str
    count: int | None = Field(
        description=(
            "Consultations in this cell; null when suppressed. Callers who are not the "
            "school's counseling staff get no count below 3 (that is, 1 or 2), and where a "
            "breakdown has only one such cell, its smallest other non-zero cell is suppressed "
            "too, so that the small one cannot be worked out from the total. Zero is shown."
        )
    )
    suppressed: bool = Field(
        False, description="True when the count is withheld to protect students' privacy."
    )


class CounselorLoadOut(Schema):
    user_id: int
    name: str
    open_cases: int
    lead_cases: int


class StatisticsOut(Schema):
    """Counts only (issue 6 item 12): nothing names a student or a case.

    The headline counts and the loads per counselor are exact for every caller; the breakdowns
    (``by_*``) have their small cells suppressed for callers outside counseling (see ``count``).
    """

    school_id: int
    semester_id: int
    semester_label: str
    period_start: datetime.date
    period_end: datetime.date
    as_of: datetime.date
    consultations: int
    brief_contacts: int
    by_category: list[FigureOut]
    by_grade: list[FigureOut]
    by_channel: list[FigureOut]
    by_month: list[FigureOut]
    open_cases: int
    unassigned_open_cases: int
    per_counselor: list[CounselorLoadOut]
    overdue_plan_reviews: int
    overdue_referral_follow_ups: int
