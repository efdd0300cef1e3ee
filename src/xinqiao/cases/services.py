"""State changes of a case, from intake to the archive (seed 003 受理 → 评估 → 研讨 → 方案 → 实施
→ 记录 → 总结 → 评估 → 结案; seed 001 一人一档, 档案目录).

Each service is atomic, checks the case's state machine, and tells people in-app after commit.
Notifications name the case number and where to act, never what the case is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import (
    Assessment,
    Case,
    CaseCounselor,
    Conference,
    ConferenceParticipant,
    Consent,
    Evaluation,
    MeasureActivity,
    PlanMeasure,
    ProblemCategory,
    SessionRecord,
    Severity,
    StageSummary,
    SupportPlan,
    retention_until,
)
from xinqiao.cases.services_consent import consent_in_force, consent_record
from xinqiao.core.access_log import record_access
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import (
    COUNSELING_ROLES,
    INSTALLATION_ROLES,
    PUPIL_AND_FAMILY_ROLES,
    Role,
)
from xinqiao.people.models import RoleAssignment, School, Semester, Student


# --- helpers -----------------------------------------------------------------------------------
def staff_with_role(school: School | int, *roles: str) -> models.QuerySet[User]:
    school_id = school if isinstance(school, int) else school.pk
    held = RoleAssignment.objects.in_force().filter(school_id=school_id, role__in=roles)
    return User.objects.filter(pk__in=held.values("user_id"), is_active=True).order_by("full_name")


def counselors_of(school: School | int) -> models.QuerySet[User]:
    return staff_with_role(school, *COUNSELING_ROLES)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _move(case: Case, to_state: str) -> None:
    if not case.can_become(to_state):
        raise ValidationError(
            _("A case that is %(state)s cannot become %(to)s.")
            % {"state": case.get_state_display(), "to": Case.State(to_state).label}
        )
    case.state = to_state


def _require_working(case: Case) -> None:
    if case.state not in Case.WORKING_STATES:
        raise ValidationError(
            _("Records can only be added to a case that is being worked on (it is %(state)s).")
            % {"state": case.get_state_display()}
        )


def _case_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def _tell(users: Iterable[User], case: Case, title: str, level=Notification.Level.ACTION) -> None:
    notify(
        recipients=users, title=title, url=_case_url(case), level=level, school_id=case.school_id
    )


def categories_ensure_defaults(*, school: School) -> list[ProblemCategory]:
    """The classification list a school starts with (seed 003 问题的性质); the director edits it."""
    existing = set(ProblemCategory.objects.filter(school=school).values_list("name", flat=True))
    ProblemCategory.objects.bulk_create(
        ProblemCategory(school=school, name=str(label), order=index)
        for index, (_code, label) in enumerate(ProblemCategory.DEFAULTS)
        if str(label) not in existing
    )
    return list(ProblemCategory.objects.filter(school=school))


def category_save(
    *, actor: User, school: School, name: str, order: int, is_active: bool, category=None
) -> ProblemCategory:
    name = name.strip()
    clash = ProblemCategory.objects.filter(school=school, name=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if not name or clash.exists():
        raise ValidationError(_("Each category needs a name of its own."))
    category = category or ProblemCategory(school=school)
    category.name, category.order, category.is_active = name, order, is_active
    category.save()
    return category


# --- intake -----------------------------------------------------------------------------------
def _next_case_number(school: School) -> str:
    year = timezone.localdate().year
    prefix = f"{year}-"
    numbers = Case.objects.filter(school=school, number__startswith=prefix).values_list(
        "number", flat=True
    )
    highest = max((int(n.removeprefix(prefix)) for n in numbers if n[5:].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


def case_open(
    *,
    actor: User | None,
    student: Student,
    channel: str,
    problem: str,
    background: str = "",
    brought_by: str = "",
    urgency: str = Case.Urgency.NORMAL,
    referred_by: User | None = None,
    source_object: models.Model | None = None,
    submission_key: str | None = None,
) -> Case:
    """Record an intake from any channel (seed 003 受理渠道); the director is told at once.

    The same form sent twice (same ``submission_key``) stores one case.
    """
    if not problem.strip():
        raise ValidationError(_("Describe the problem in a few sentences."))
    if channel not in Case.Channel.values or urgency not in Case.Urgency.values:
        raise ValidationError(_("Unknown channel or urgency."))
    if submission_key:
        existing = Case.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    school = student.school
    for _attempt in range(3):
        try:
            with transaction.atomic():
                School.objects.select_for_update().filter(pk=school.pk).first()
                case = Case.objects.create(
                    school=school,
                    student=student,
                    number=_next_case_number(school),
                    channel=channel,
                    brought_by=brought_by.strip(),
                    referred_by=referred_by,
                    problem=problem.strip(),
                    background=background.strip(),
                    urgency=urgency,
                    source_type=source_object._meta.label if source_object is not None else "",
                    source_id=str(source_object.pk) if source_object is not None else "",
                    opened_by=actor,
                    submission_key=submission_key or None,
                )
                if actor is not None and actor.has_role(Role.COUNSELOR, school_id=school.pk):
                    # The counselor who takes an intake holds it until the assessment says more.
                    CaseCounselor.objects.create(
                        case=case, user=actor, is_lead=True, assigned_by=actor
                    )
                directors = staff_with_role(school, Role.DIRECTOR)
                level = (
                    Notification.Level.URGENT
                    if urgency == Case.Urgency.URGENT
                    else Notification.Level.ACTION
                )
                _tell(directors, case, _("New intake %(number)s") % {"number": case.number}, level)
            return case
        except IntegrityError:
            if submission_key and Case.objects.filter(submission_key=submission_key).exists():
                return Case.objects.get(submission_key=submission_key)
    raise ValidationError(_("The intake could not be numbered; please send it again."))


def case_answer_briefly(*, actor: User, case: Case, answer: str) -> Case:
    """Close an intake that was answered at once as a brief contact (seed 003 需求受理 2)."""
    if not answer.strip():
        raise ValidationError(_("Write what was answered."))
    with transaction.atomic():
        case = _lock(case)
        _move(case, Case.State.CLOSED)
        case.brief_contact = True
        case.closing_summary = answer.strip()
        case.closed_at, case.closed_by = timezone.now(), actor
        case.save()
        _assign(case, actor, lead=actor, others=(), if_none_only=True)
    return case


# --- assessment and counselors ------------------------------------------------------------------
def _assign(case: Case, actor: User, *, lead: User, others: Sequence[User], if_none_only=False):
    if if_none_only and case.counselors.exists():
        return
    allowed = set(counselors_of(case.school_id).values_list("pk", flat=True))
    for person in (lead, *others):
        if person.pk not in allowed:
            raise ValidationError(
                _("%(name)s is not counseling staff of this school.") % {"name": person}
            )
    before = set(case.counselors.values_list("user_id", flat=True))
    case.counselors.update(is_lead=False)
    wanted = {lead.pk: True, **{o.pk: False for o in others if o.pk != lead.pk}}
    case.counselors.exclude(user_id__in=wanted).delete()
    for user_id, is_lead in wanted.items():
        CaseCounselor.objects.update_or_create(
            case=case, user_id=user_id, defaults={"is_lead": is_lead, "assigned_by": actor}
        )
    new = [u for u in (lead, *others) if u.pk not in before and u.pk != actor.pk]
    _tell(new, case, _("Case %(number)s is assigned to you") % {"number": case.number})


def counselors_assign(*, actor: User, case: Case, lead: User, others: Sequence[User] = ()) -> Case:
    with transaction.atomic():
        case = _lock(case)
        if not case.is_open:
            raise ValidationError(_("A closed case keeps its counselors."))
        _assign(case, actor, lead=lead, others=others)
    return case


def case_assess(
    *,
    actor: User,
    case: Case,
    severity: str,
    categories: Sequence[ProblemCategory],
    measures_needed: str,
    notes: str = "",
    lead: User,
    others: Sequence[User] = (),
) -> Assessment:
    """Record the needs assessment (seed 003 需求评估); serious or several-sided problems need a
    case conference before a plan is approved."""
    if severity not in Severity.values:
        raise ValidationError(_("Choose how serious the problem is."))
    if not categories:
        raise ValidationError(_("Choose the nature of the problem."))
    if any(c.school_id != case.school_id for c in categories):
        raise ValidationError(_("Unknown category."))
    if not measures_needed.strip():
        raise ValidationError(_("Say which measures are likely needed."))
    with transaction.atomic():
        case = _lock(case)
        if case.state == Case.State.INTAKE:
            _move(case, Case.State.ASSESSING)
        elif case.state != Case.State.ASSESSING:
            raise ValidationError(_("Only a case at intake or in assessment can be assessed."))
        requires_conference = severity != Severity.GENERAL or len(categories) > 1
        assessment, _created = Assessment.objects.update_or_create(
            case=case,
            defaults={
                "severity": severity,
                "measures_needed": measures_needed.strip(),
                "notes": notes.strip(),
                "requires_conference": requires_conference,
                "assessed_by": actor,
                "assessed_at": timezone.now(),
            },
        )
        case.severity = severity
        case.save()
        case.categories.set(categories)
        _assign(case, actor, lead=lead, others=others)
    return assessment


# --- case conference ----------------------------------------------------------------------------
def conference_candidates(case: Case) -> models.QuerySet[User]:
    """The school's staff: who may sit in a case conference (never pupils or families)."""
    return staff_with_role(
        case.school_id,
        *(r for r in Role if r not in PUPIL_AND_FAMILY_ROLES and r not in INSTALLATION_ROLES),
    )


def role_labels(school_id: int) -> dict[int, str]:
    """{user id: the label of their role at the school}, to show who sits at a conference as what."""
    labels = dict(Role.choices)
    found: dict[int, str] = {}
    for user_id, role in (
        RoleAssignment.objects.in_force().filter(school_id=school_id).values_list("user_id", "role")
    ):
        found.setdefault(user_id, str(labels.get(role, role)))
    return found


def conference_convene(
    *,
    actor: User,
    case: Case,
    scheduled_at: datetime.datetime,
    place: str,
    agenda: str,
    participants: Sequence[tuple[User, str]],
) -> Conference:
    """The director convenes the director, counselors and the part-time staff concerned."""
    if case.state != Case.State.ASSESSING and case.state != Case.State.ACTIVE:
        raise ValidationError(_("A conference is held for a case in assessment or in progress."))
    if not agenda.strip() or not place.strip():
        raise ValidationError(_("Give the place and the agenda."))
    school_staff = set(conference_candidates(case).values_list("pk", flat=True))
    counseling = set(counselors_of(case.school_id).values_list("pk", flat=True))
    with transaction.atomic():
        conference = Conference.objects.create(
            case=case,
            convened_by=actor,
            scheduled_at=scheduled_at,
            place=place.strip(),
            agenda=agenda.strip(),
        )
        seats = {actor.pk: (actor, _("convener"))}
        for user, label in participants:
            if user.pk not in school_staff:
                raise ValidationError(
                    _("%(name)s is not on the staff of this school.") % {"name": user}
                )
            seats.setdefault(user.pk, (user, label))
        ConferenceParticipant.objects.bulk_create(
            ConferenceParticipant(
                conference=conference,
                user=user,
                role_label=str(label)[:50],
                is_counseling_staff=user.pk in counseling,
            )
            for user, label in seats.values()
        )
        when = timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M")
        notify(
            recipients=[u for u, _label in seats.values() if u.pk != actor.pk],
            title=_("Case conference on %(when)s, %(place)s") % {"when": when, "place": place},
            url=reverse("cases:conference_share", args=[conference.pk]),
            level=Notification.Level.ACTION,
            school_id=case.school_id,
        )
    return conference


def conference_record(
    *,
    actor: User,
    conference: Conference,
    attended: Iterable[int],
    decisions: str,
    shared_summary: str,
    request=None,
) -> Conference:
    """Record who came and what was decided; sharing with non-counseling participants is a
    disclosure and is written to the access log (DESIGN.md principle 2)."""
    if not decisions.strip():
        raise ValidationError(_("Write the decisions of the conference."))
    attended = set(attended)
    with transaction.atomic():
        conference = Conference.objects.select_for_update().get(pk=conference.pk)
        if conference.state != Conference.State.PLANNED:
            raise ValidationError(_("This conference is already recorded."))
        conference.state = Conference.State.HELD
        conference.held_at = timezone.now()
        conference.decisions = decisions.strip()
        conference.shared_summary = shared_summary.strip()
        conference.save()
        for seat in conference.participants.all():
            seat.attended = seat.user_id in attended
            seat.save(update_fields=["attended"])
        others = [
            s for s in conference.participants.select_related("user") if not s.is_counseling_staff
        ]
        if others and conference.shared_summary:
            record_access(
                actor=actor,
                action="disclose",
                obj=conference.case,
                basis="case conference shared with: "
                + ", ".join(sorted(s.user.username for s in others)),
                request=request,
            )
    return conference


# --- support plan --------------------------------------------------------------------------------
def plan_draft(
    *,
    actor: User,
    case: Case,
    goals: str,
    review_every_weeks: int,
    measures: Sequence[dict],
    change_reason: str = "",
    conference: Conference | None = None,
) -> SupportPlan:
    """Write (or rewrite) the draft of the next plan version with its measures.

    ``measures``: dicts of PlanMeasure fields (kind, description, responsible or
    responsible_name, starts_on, ends_on).
    """
    if not goals.strip():
        raise ValidationError(_("Write the goals of the plan."))
    if not measures:
        raise ValidationError(_("A plan needs at least one measure."))
    if not 1 <= review_every_weeks <= 26:
        raise ValidationError(_("Review the plan at least every 26 weeks."))
    if case.plans.filter(state=SupportPlan.State.APPROVED).exists() and not change_reason.strip():
        raise ValidationError(_("Say why the plan is adjusted."))
    with transaction.atomic():
        case = _lock(case)
        _require_working(case)
        plan = case.plans.filter(state=SupportPlan.State.DRAFT).first()
        if plan is None:
            highest = case.plans.aggregate(v=models.Max("version"))["v"] or 0
            plan = SupportPlan(case=case, version=highest + 1, created_by=actor)
        plan.goals, plan.change_reason = goals.strip(), change_reason.strip()
        plan.review_every_weeks = review_every_weeks
        plan.conference = conference or plan.conference
        plan.save()
        plan.measures.all().delete()
        for measure in measures:
            PlanMeasure(plan=plan, **measure).full_clean(exclude=["plan"])
        PlanMeasure.objects.bulk_create(PlanMeasure(plan=plan, **m) for m in measures)
    return plan


def plan_approve(*, actor: User, plan: SupportPlan) -> SupportPlan:
    """The director approves a plan; the previous version is kept as superseded."""
    with transaction.atomic():
        case = _lock(plan.case)
        plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.state != SupportPlan.State.DRAFT:
            raise ValidationError(_("Only a draft plan can be approved."))
        if not plan.measures.exists():
            raise ValidationError(_("A plan needs at least one measure."))
        if (
            case.requires_conference
            and not case.conferences.filter(state=Conference.State.HELD).exists()
        ):
            raise ValidationError(
                _("This case needs a case conference before its plan is approved.")
            )
        case.plans.filter(state=SupportPlan.State.APPROVED).update(
            state=SupportPlan.State.SUPERSEDED
        )
        plan.state = SupportPlan.State.APPROVED
        plan.approved_by, plan.approved_at = actor, timezone.now()
        plan.next_review_on = timezone.localdate() + datetime.timedelta(
            weeks=plan.review_every_weeks
        )
        plan.save()
        if case.state == Case.State.ASSESSING:
            _move(case, Case.State.ACTIVE)
            case.save()
        responsible = [
            m.responsible for m in plan.measures.select_related("responsible") if m.responsible
        ]
        notify(
            recipients=responsible,
            title=_("A support measure is asked of you (case %(number)s)")
            % {"number": case.number},
            url=reverse("cases:my_tasks"),
            level=Notification.Level.ACTION,
            school_id=case.school_id,
        )
        _tell(
            [c.user for c in case.counselors.select_related("user")],
            case,
            _("The plan of case %(number)s is approved") % {"number": case.number},
            Notification.Level.INFO,
        )
    return plan


def measure_log_activity(
    *, actor: User, measure: PlanMeasure, on: datetime.date, note: str, minutes: int | None = None
) -> MeasureActivity:
    """A tutoring session or another step of a measure, logged by the person responsible."""
    if not note.strip():
        raise ValidationError(_("Write what was done."))
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    _require_working(measure.plan.case)
    with transaction.atomic():
        activity = MeasureActivity.objects.create(
            measure=measure, on=on, minutes=minutes, note=note.strip(), logged_by=actor
        )
        if measure.status == PlanMeasure.Status.PLANNED:
            measure.status = PlanMeasure.Status.ONGOING
            measure.save(update_fields=["status"])
    return activity


def measure_set_status(*, actor: User, measure: PlanMeasure, status: str) -> PlanMeasure:
    if status not in PlanMeasure.Status.values:
        raise ValidationError(_("Unknown status."))
    _require_working(measure.plan.case)
    measure.status = status
    measure.save(update_fields=["status"])
    return measure


# --- records, summaries, evaluations ------------------------------------------------------------
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
    _require_working(case)
    if held_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("A record describes what has happened: the time is in the future."))
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


def counseling_agreement_missing(case: Case, kind: str) -> bool:
    """Whether a record of ``kind`` would be counseling the student has not agreed to."""
    return (
        kind in SessionRecord.COUNSELING_KINDS
        and consent_in_force(student=case.student, purpose=Consent.Purpose.COUNSELING, case=case)
        is None
    )


def stage_summary_write(
    *,
    actor: User,
    case: Case,
    period_start: datetime.date,
    period_end: datetime.date,
    summary: str,
) -> StageSummary:
    """The summary of a plan review; the plan's next review moves on by its interval."""
    _require_working(case)
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    if not summary.strip():
        raise ValidationError(_("Write the summary."))
    with transaction.atomic():
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
    _require_working(case)
    for rating in (student_rating, teacher_rating, guardian_rating):
        if rating is not None and not 1 <= rating <= 10:
            raise ValidationError(_("Ratings go from 1 to 10."))
    if questionnaire_score is not None and not questionnaire.strip():
        raise ValidationError(_("Name the questionnaire the score comes from."))
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
def case_request_closure(*, actor: User, case: Case, closing_summary: str) -> Case:
    """The counselor proposes to close: a closing summary and at least one evaluation."""
    if not closing_summary.strip():
        raise ValidationError(_("Write the closing summary."))
    with transaction.atomic():
        case = _lock(case)
        if not case.evaluations.exists():
            raise ValidationError(_("Record an effect evaluation before closing the case."))
        _move(case, Case.State.CLOSING)
        case.closing_summary = closing_summary.strip()
        case.save()
        _tell(
            staff_with_role(case.school_id, Role.DIRECTOR),
            case,
            _("Case %(number)s is ready to close") % {"number": case.number},
        )
    return case


def case_confirm_closure(*, actor: User, case: Case) -> Case:
    with transaction.atomic():
        case = _lock(case)
        _move(case, Case.State.CLOSED)
        case.closed_at, case.closed_by = timezone.now(), actor
        case.save()
        case.plans.filter(state=SupportPlan.State.DRAFT).delete()
        PlanMeasure.objects.filter(
            plan__case=case, status__in=[PlanMeasure.Status.PLANNED, PlanMeasure.Status.ONGOING]
        ).update(status=PlanMeasure.Status.DONE)
    return case


def case_reopen(*, actor: User, case: Case) -> Case:
    """Send a case that was proposed for closing back to work."""
    with transaction.atomic():
        case = _lock(case)
        _move(case, Case.State.ACTIVE)
        case.save()
        _tell(
            [c.user for c in case.counselors.select_related("user")],
            case,
            _("Case %(number)s stays open") % {"number": case.number},
        )
    return case


def _archive_prefix(semester: Semester) -> str:
    return f"DA-{semester.school_year}-{semester.term}-"


def case_archive(*, actor: User, case: Case, semester: Semester) -> Case:
    """Archive a closed case into the student's file with a catalogue number (档案目录)."""
    if semester.school_id != case.school_id:
        raise ValidationError(_("Unknown semester."))
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=case.school_id).first()
        case = _lock(case)
        _move(case, Case.State.ARCHIVED)
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
            _tell(
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
            _tell(
                [c.user for c in referral.case.counselors.select_related("user")],
                referral.case,
                _("Follow up the referral of case %(number)s") % {"number": referral.case.number},
            )
            referral.follow_up_reminded = True
            referral.save(update_fields=["follow_up_reminded"])
        sent += 1
    return sent
