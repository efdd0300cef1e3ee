"""Session records, stage summaries, evaluations, closure and the archive (seed 003 记录 → 总结
→ 评估 → 结案; seed 001 一人一档, 档案目录), and the daily reminders.

Services trust their caller: the getter and the view or API have decided that the actor may
do this (cases/access.py, cases/rules.py); a service checks only the case's state machine and
its input. Each service that takes an ``actor`` is a ``@service`` (core/history.py): one
transaction, the actor recorded as the author in the change history. People are told in-app
after commit; notifications name the case number and where to act, never what the case is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import (
    Case,
    Consent,
    Evaluation,
    PlanMeasure,
    SessionRecord,
    StageSummary,
    SupportPlan,
    retention_until,
)
from xinqiao.cases.services_common import case_url, lock_case, move_case, require_working, tell
from xinqiao.cases.services_consent import consent_in_force, consent_record
from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.people.models import School, Semester
from xinqiao.people.selectors import holders_of


# --- records, summaries, evaluations ------------------------------------------------------------
@service
def session_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    held_at: datetime.datetime,
    place: str,
    problem: str,
    measures_taken: str,
    participants: str = "",
    effect: str = "",
    next_step: str = "",
    appointment=None,
    submission_key: str | None = None,
    student_agreed: bool = False,
) -> SessionRecord:
    """A session or contact record (seed 003 工作记录); written by the case's counselors only.

    A counseling session needs the student's informed, voluntary agreement (seed 004: 知情自愿)
    in force for the case. When none is recorded yet, ``student_agreed`` says the counselor
    confirms the student agreed at this session: the consent is recorded with the record.
    """
    require_working(case)
    if held_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(
            {"held_at": _("A record describes what has happened: the time is in the future.")}
        )
    _require_during_case(case, timezone.localdate(held_at), "held_at")
    if not problem.strip() or not measures_taken.strip():
        raise ValidationError(_("Write the problem and the measures taken."))
    if appointment is not None and appointment.student_id != case.student_id:
        raise ValidationError(_("The appointment is not the student's."))
    if submission_key:
        existing = SessionRecord.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    agreement_missing = counseling_agreement_missing(case, kind)
    if agreement_missing and not student_agreed:
        raise ValidationError(
            {
                "student_agreed": _(
                    "Counseling rests on the student's informed, voluntary agreement. Confirm "
                    "that the student was told what counseling is and agreed to it, or record "
                    "the consent first."
                )
            }
        )
    try:
        with transaction.atomic():
            if agreement_missing:
                consent_record(
                    actor=actor,
                    case=case,
                    purpose=Consent.Purpose.COUNSELING,
                    given_by=Consent.GivenBy.STUDENT,
                    giver_name=case.student.name,
                    given_on=min(timezone.localdate(held_at), timezone.localdate()),
                    how=_("confirmed by the counselor in the session record"),
                )
            return SessionRecord.objects.create(
                case=case,
                kind=kind,
                held_at=held_at,
                place=place.strip(),
                participants=participants.strip(),
                problem=problem.strip(),
                measures_taken=measures_taken.strip(),
                effect=effect.strip(),
                next_step=next_step.strip(),
                appointment=appointment,
                written_by=actor,
                submission_key=submission_key or None,
            )
    except IntegrityError:
        return SessionRecord.objects.get(submission_key=submission_key)


def _require_during_case(case: Case, day: datetime.date, field: str) -> None:
    """What is recorded of a case happened between the day it was opened and today. The day,
    not the hour: a student seen at nine may have their case opened at ten."""
    opened_on = timezone.localdate(case.opened_at)
    if day < opened_on:
        raise ValidationError(
            {
                field: _("The date is before the case was opened (%(day)s).")
                % {"day": opened_on.isoformat()}
            }
        )
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def counseling_agreement_missing(case: Case, kind: str) -> bool:
    """Whether a record of ``kind`` would be counseling the student has not agreed to."""
    return (
        kind in SessionRecord.COUNSELING_KINDS
        and consent_in_force(student=case.student, purpose=Consent.Purpose.COUNSELING, case=case)
        is None
    )


@service
def stage_summary_write(
    *,
    actor: User,
    case: Case,
    period_start: datetime.date,
    period_end: datetime.date,
    summary: str,
) -> StageSummary:
    """The summary of a plan review; the plan's next review moves on by its interval."""
    require_working(case)
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    if not summary.strip():
        raise ValidationError(_("Write the summary."))
    plan = case.plans.filter(state=SupportPlan.State.APPROVED).first()
    written = StageSummary.objects.create(
        case=case,
        plan=plan,
        period_start=period_start,
        period_end=period_end,
        summary=summary.strip(),
        written_by=actor,
    )
    if plan is not None:
        plan.next_review_on = timezone.localdate() + datetime.timedelta(
            weeks=plan.review_every_weeks
        )
        plan.save(update_fields=["next_review_on"])
    return written


@service
def evaluation_record(
    *,
    actor: User,
    case: Case,
    evaluated_on: datetime.date,
    student_rating: int,
    teacher_rating: int | None = None,
    guardian_rating: int | None = None,
    guardian_feedback: str = "",
    questionnaire: str = "",
    questionnaire_score=None,
    notes: str = "",
) -> Evaluation:
    """Effect evaluation from several sides (seed 003 效果评估 2), ratings from 1 to 10."""
    require_working(case)
    for rating in (student_rating, teacher_rating, guardian_rating):
        if rating is not None and not 1 <= rating <= 10:
            raise ValidationError(_("Ratings go from 1 to 10."))
    if questionnaire_score is not None and not questionnaire.strip():
        raise ValidationError(_("Name the questionnaire the score comes from."))
    if questionnaire_score is not None and questionnaire_score < 0:
        raise ValidationError(
            {"questionnaire_score": _("A questionnaire score cannot be negative.")}
        )
    _require_during_case(case, evaluated_on, "evaluated_on")
    return Evaluation.objects.create(
        case=case,
        evaluated_on=evaluated_on,
        student_rating=student_rating,
        teacher_rating=teacher_rating,
        guardian_rating=guardian_rating,
        guardian_feedback=guardian_feedback.strip(),
        questionnaire=questionnaire.strip(),
        questionnaire_score=questionnaire_score,
        notes=notes.strip(),
        recorded_by=actor,
    )


# --- closure and archive ------------------------------------------------------------------------
def open_measures(case: Case) -> models.QuerySet[PlanMeasure]:
    """The measures of the plan in force that have not ended: closing the case says how each
    one did."""
    return PlanMeasure.objects.filter(
        plan__case=case,
        plan__state=SupportPlan.State.APPROVED,
        status__in=PlanMeasure.OPEN_STATUSES,
    ).select_related("responsible")


@service
def case_request_closure(
    *,
    actor: User,
    case: Case,
    closing_summary: str,
    measure_ends: Mapping[int, tuple[str, str]] | None = None,
) -> Case:
    """The counselor proposes to close: a closing summary, at least one evaluation, and how
    each open measure ended (``measure_ends``: {measure id: (done, not done or stopped, why)},
    why needed unless done). Errors about a measure are keyed ``measure_<id>``."""
    if not closing_summary.strip():
        raise ValidationError(_("Write the closing summary."))
    case = lock_case(case)
    if not case.evaluations.exists():
        raise ValidationError(_("Record an effect evaluation before closing the case."))
    measure_ends = measure_ends or {}
    ended = []
    for measure in open_measures(case):
        status, why = measure_ends.get(measure.pk, ("", ""))
        if status not in PlanMeasure.END_STATUSES:
            error = _("Say how each measure ended: done, not done or stopped.")
        elif status in PlanMeasure.NEEDS_REASON and not why.strip():
            error = _("Say why the measure was not done or was stopped.")
        else:
            measure.status, measure.end_note = status, why.strip()
            ended.append(measure)
            continue
        raise ValidationError({f"measure_{measure.pk}": error})
    for measure in ended:
        measure.save(update_fields=["status", "end_note"])
    move_case(case, Case.State.CLOSING)
    case.closing_summary = closing_summary.strip()
    case.save()
    step_waiting(
        kind="closure",
        obj=case,
        assignees=holders_of(case.school_id, Role.DIRECTOR),
        title=_("Case %(number)s is ready to close") % {"number": case.number},
        url=case_url(case),
        school_id=case.school_id,
    )
    return case


@service
def case_confirm_closure(*, actor: User, case: Case) -> Case:
    """The director confirms the closure; the measures keep the ends the counselor gave them."""
    case = lock_case(case)
    if open_measures(case).exists():
        # Sent to closing before measures were given their ends: back to the counselor.
        raise ValidationError(
            _(
                "Say how each measure ended: done, not done or stopped. Send the case back to "
                "work so that its counselor closes it again."
            )
        )
    move_case(case, Case.State.CLOSED)
    case.closed_at, case.closed_by = timezone.now(), actor
    case.save()
    step_done(obj=case)  # the closure, and the approval of a draft plan that goes with it
    case.plans.filter(state=SupportPlan.State.DRAFT).delete()
    return case


@service
def case_reopen(*, actor: User, case: Case) -> Case:
    """Send a case that was proposed for closing back to work."""
    case = lock_case(case)
    move_case(case, Case.State.ACTIVE)
    case.save()
    step_done(kind="closure", obj=case)
    tell(
        [c.user for c in case.counselors.select_related("user")],
        case,
        _("Case %(number)s stays open") % {"number": case.number},
    )
    return case


def _archive_prefix(semester: Semester) -> str:
    return f"DA-{semester.school_year}-{semester.term}-"


@service
def case_archive(*, actor: User, case: Case, semester: Semester) -> Case:
    """Archive a closed case into the student's file with a catalogue number (档案目录)."""
    if semester.school_id != case.school_id:
        raise ValidationError(_("Unknown semester."))
    School.objects.select_for_update().filter(pk=case.school_id).first()
    case = lock_case(case)
    move_case(case, Case.State.ARCHIVED)
    prefix = _archive_prefix(semester)
    taken = Case.objects.filter(
        school_id=case.school_id, archive_number__startswith=prefix
    ).values_list("archive_number", flat=True)
    highest = max((int(n.removeprefix(prefix)) for n in taken), default=0)
    case.archive_number = f"{prefix}{highest + 1:04d}"
    case.archived_at = timezone.now()
    case.archive_semester = semester
    case.retention_until = retention_until(case, timezone.localdate())
    case.save()
    return case


@service
def archive_semester(*, actor: User, semester: Semester) -> list[Case]:
    """At the end of a semester every closed case of the school goes into the archive."""
    closed = Case.objects.filter(
        school_id=semester.school_id,
        state=Case.State.CLOSED,
        closed_at__date__lte=semester.ends_on,
    ).order_by("closed_at", "pk")
    return [case_archive(actor=actor, case=case, semester=semester) for case in closed]


# --- reminders ----------------------------------------------------------------------------------
def reviews_and_follow_ups_remind(*, today: datetime.date | None = None) -> int:
    """Tell the counselors of each case whose plan review or referral follow-up is due; each due
    date is reminded once (run daily by the task queue, called by tests with a fixed day)."""
    from xinqiao.cases.models import Referral

    today = today or timezone.localdate()
    sent = 0
    due_plans = SupportPlan.objects.filter(
        state=SupportPlan.State.APPROVED,
        next_review_on__lte=today,
        case__state__in=Case.WORKING_STATES,
    ).exclude(review_reminded_for=models.F("next_review_on"))
    for plan in due_plans.select_related("case"):
        with transaction.atomic():
            tell(
                [c.user for c in plan.case.counselors.select_related("user")],
                plan.case,
                _("The plan of case %(number)s is due for review") % {"number": plan.case.number},
            )
            plan.review_reminded_for = plan.next_review_on
            plan.save(update_fields=["review_reminded_for"])
        sent += 1
    due_referrals = Referral.objects.filter(
        state=Referral.State.OPEN, follow_up_due__lte=today, follow_up_reminded=False
    )
    for referral in due_referrals.select_related("case", "referred_by"):
        with transaction.atomic():
            step_waiting(
                kind="referral_follow_up",
                obj=referral,
                assignees=[c.user for c in referral.case.counselors.select_related("user")],
                title=_("Follow up the referral of case %(number)s")
                % {"number": referral.case.number},
                url=reverse("cases:referral_detail", args=[referral.pk]),
                school_id=referral.case.school_id,
            )
            referral.follow_up_reminded = True
            referral.save(update_fields=["follow_up_reminded"])
        sent += 1
    return sent
