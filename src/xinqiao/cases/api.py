"""The cases API: the same rules and access log as the pages.

Lists read through ``Case.objects.for_user`` and carry no case text. One case is reached only
through ``cases.access.get_case_or_refuse``, as on the pages: a caller who may not read it gets
404 whether it exists or not, a reader who may not do what was asked gets 403, and every
refusal is written to the access log; every read of case material is written there too
(``record_read``). Writes go through the same services.
"""

import hashlib
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinqiao.cases import selectors_stats, services_records
from xinqiao.cases.access import case_queryset, get_case_or_refuse, record_read, with_counselors
from xinqiao.cases.models import Case, Severity
from xinqiao.cases.schemas import (
    CaseDetailOut,
    CaseOut,
    RecordIn,
    RecordOut,
    StateFilter,
    StatisticsOut,
)
from xinqiao.core.access import require
from xinqiao.core.api import JsonOrForm

router = Router(tags=["cases"])

RecordBody = Annotated[RecordIn, JsonOrForm(...)]


class CaseFilter(Schema):
    state: StateFilter | None = None
    severity: Severity | None = None


def _submission_key(request, case: Case, key: str | None) -> str | None:
    """The caller's key, kept apart from every other caller's and case's: a key can only ever
    find the caller's own record of this case again."""
    if not key:
        return None
    return hashlib.sha256(f"api|{request.auth.pk}|{case.pk}|{key}".encode()).hexdigest()


# --- cases -----------------------------------------------------------------------------------------
@router.get("/cases", response=list[CaseOut], summary="Cases the caller may read (no case text)")
@paginate
def case_list(request, filters: Query[CaseFilter]):
    """The director gets every case of the school, a counselor the cases they hold. Filter by
    ``state`` (``open``: intake to closing; ``awaiting_approval``: a draft plan or a
    closure for the director) and ``severity``."""
    require(request.auth, "cases.view_case_list")
    cases = (
        with_counselors(Case.objects.for_user(request.auth))
        .select_related("student__school_class__grade")
        .order_by("-opened_at", "-pk")
    )
    if filters.state == "open":
        cases = cases.open()
    elif filters.state == "awaiting_approval":
        cases = cases.awaiting_approval()
    elif filters.state:
        cases = cases.filter(state=filters.state)
    if filters.severity:
        cases = cases.filter(severity=filters.severity)
    return cases


@router.get(
    "/cases/{case_id}",
    response=CaseDetailOut,
    summary="One case with its text (readers only; every read is logged)",
)
def case_detail(request, case_id: int):
    detail = case_queryset().select_related("referred_by", "assessment")
    case = get_case_or_refuse(request, case_id, queryset=detail.prefetch_related("categories"))
    record_read(request, case)
    case.reader_parts = case.parts_read_by(request.auth)
    return case


@router.get(
    "/cases/{case_id}/records",
    response=list[RecordOut],
    summary="A case's session and contact records (readers only; every read is logged)",
)
@paginate
def record_list(request, case_id: int):
    case = get_case_or_refuse(request, case_id, "cases.view_case_records")
    record_read(request, case)
    return case.records.select_related("written_by").order_by("-held_at", "-id")


@router.post(
    "/cases/{case_id}/records",
    response={201: RecordOut},
    summary="Write a session or contact record (the case's counselors)",
)
def record_create(request, case_id: int, payload: RecordBody):
    case = get_case_or_refuse(request, case_id, "cases.write_records")
    held_at = payload.held_at
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    try:
        record = services_records.session_record(
            actor=request.auth,
            case=case,
            kind=payload.kind,
            held_at=held_at,
            place=payload.place,
            problem=payload.problem,
            measures_taken=payload.measures_taken,
            participants=payload.participants,
            effect=payload.effect,
            next_step=payload.next_step,
            submission_key=_submission_key(request, case, payload.submission_key),
            student_agreed=payload.student_agreed,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return Status(201, record)


# --- statistics --------------------------------------------------------------------------------------
@router.get(
    "/statistics",
    response=StatisticsOut,
    summary="Counts of the counseling side for a semester (no student, no case named)",
)
def statistics(request, school: int | None = None, semester: int | None = None):
    """The caller's school (or ``school``) and its current semester (or ``semester``)."""
    require(request.auth, "cases.view_statistics")
    schools = list(selectors_stats.statistics_schools(request.auth))
    chosen = next((s for s in schools if school is None or s.pk == school), None)
    if chosen is None:
        raise Http404
    semesters = list(chosen.semesters.order_by("-starts_on"))
    if semester is None:
        period = selectors_stats.default_semester(chosen, semesters)
    else:
        period = next((s for s in semesters if s.pk == semester), None)
    if period is None:
        raise Http404
    stats = selectors_stats.case_statistics_for_reader(request.auth, school=chosen, semester=period)
    return {
        "school_id": chosen.pk,
        "semester_id": period.pk,
        "semester_label": str(period.label),
        "period_start": stats.period_start,
        "period_end": stats.period_end,
        "as_of": stats.today,
        "consultations": stats.consultations,
        "brief_contacts": stats.brief_contacts,
        "by_category": stats.by_category,
        "by_grade": stats.by_grade,
        "by_channel": stats.by_channel,
        "by_month": stats.by_month,
        "open_cases": stats.open_cases,
        "unassigned_open_cases": stats.unassigned_open_cases,
        "per_counselor": stats.per_counselor,
        "overdue_plan_reviews": stats.overdue_reviews,
        "overdue_referral_follow_ups": stats.overdue_follow_ups,
    }
