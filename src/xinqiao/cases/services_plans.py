"""Case conference, support plan and its measures (seed 003 研讨 → 方案 → 实施).

Services trust their caller: the getter and the view or API have decided that the actor may
do this (cases/access.py, cases/rules.py); a service checks only the case's state machine and
its input. Each service that takes an ``actor`` is a ``@service`` (core/history.py): one
transaction, the actor recorded as the author in the change history. People are told in-app
after commit; notifications name the case number and where to act, never what the case is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import (
    Case,
    Conference,
    ConferenceParticipant,
    MeasureActivity,
    PlanMeasure,
    SupportPlan,
)
from xinqiao.cases.services_common import case_url, lock_case, move_case, require_working, tell
from xinqiao.core.access_log import record_access
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import (
    COUNSELING_ROLES,
    INSTALLATION_ROLES,
    PUPIL_AND_FAMILY_ROLES,
    Role,
)
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.crisis.disclosures import names_of, record_disclosure
from xinqiao.crisis.models import Disclosure
from xinqiao.people.models import RoleAssignment
from xinqiao.people.selectors import holders_of


# --- case conference ----------------------------------------------------------------------------
def conference_candidates(case: Case) -> models.QuerySet[User]:
    """The school's staff: who may sit in a case conference (never pupils or families)."""
    return holders_of(
        case.school_id,
        *(r for r in Role if r not in PUPIL_AND_FAMILY_ROLES and r not in INSTALLATION_ROLES),
    )


def seat_roles(school_id: int) -> dict[int, str]:
    """{user id: their role at the school}, the code of who sits at a conference as what."""
    found: dict[int, str] = {}
    for user_id, role in (
        RoleAssignment.objects.in_force().filter(school_id=school_id).values_list("user_id", "role")
    ):
        found.setdefault(user_id, role)
    return found


@service
def conference_convene(
    *,
    actor: User,
    case: Case,
    scheduled_at: datetime.datetime,
    place: str,
    agenda: str,
    participants: Sequence[tuple[User, str]],
) -> Conference:
    """The director convenes the director, counselors and the part-time staff concerned.

    ``participants``: (user, the code of their seat: a role, or "" for none)."""
    if case.state != Case.State.ASSESSING and case.state != Case.State.ACTIVE:
        raise ValidationError(_("A conference is held for a case in assessment or in progress."))
    if not agenda.strip() or not place.strip():
        raise ValidationError(_("Give the place and the agenda."))
    school_staff = set(conference_candidates(case).values_list("pk", flat=True))
    counseling = set(holders_of(case.school_id, *COUNSELING_ROLES).values_list("pk", flat=True))
    conference = Conference.objects.create(
        case=case,
        convened_by=actor,
        scheduled_at=scheduled_at,
        place=place.strip(),
        agenda=agenda.strip(),
    )
    seats = {actor.pk: (actor, ConferenceParticipant.CONVENER)}
    for user, role in participants:
        if user.pk not in school_staff:
            raise ValidationError(
                _("%(name)s is not on the staff of this school.") % {"name": user}
            )
        if role and role not in Role.values:
            raise ValidationError(_("Unknown role for %(name)s.") % {"name": user})
        seats.setdefault(user.pk, (user, role))
    ConferenceParticipant.objects.bulk_create(
        ConferenceParticipant(
            conference=conference,
            user=user,
            role=role,
            is_counseling_staff=user.pk in counseling,
        )
        for user, role in seats.values()
    )
    when = timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M")
    step_waiting(
        kind="conference",
        obj=conference,
        assignees=[u for u, _role in seats.values() if u.pk != actor.pk],
        title=_("You are invited to a case conference on %(when)s") % {"when": when},
        url=reverse("cases:conference_share", args=[conference.pk]),
        school_id=case.school_id,
    )
    return conference


@service
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
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    if conference.state != Conference.State.PLANNED:
        raise ValidationError(_("This conference is already recorded."))
    # A held conference is what a serious case's plan waits for (plan_approve).
    scheduled_on = timezone.localdate(conference.scheduled_at)
    if scheduled_on > timezone.localdate():
        raise ValidationError(
            _("The conference is scheduled for %(day)s: record it on that day or later.")
            % {"day": scheduled_on.isoformat()}
        )
    conference.state = Conference.State.HELD
    conference.held_at = timezone.now()
    conference.decisions = decisions.strip()
    conference.shared_summary = shared_summary.strip()
    conference.save()
    step_done(obj=conference)
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
        record_disclosure(
            actor=actor,
            school_id=conference.case.school_id,
            student=conference.case.student,
            recipient_kind=Disclosure.RecipientKind.CONFERENCE,
            recipient=names_of(s.user for s in others),
            what=conference.shared_summary,
            why=_("Case conference of case %(number)s") % {"number": conference.case.number},
            ground=Disclosure.Ground.CONSULTATION,
            source_object=conference,
        )
    return conference


# --- support plan --------------------------------------------------------------------------------
@service
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
    case = lock_case(case)
    require_working(case)
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
    step_waiting(
        kind="plan_approval",
        obj=case,
        assignees=holders_of(case.school_id, Role.DIRECTOR),
        title=_("A support plan waits for your approval (case %(number)s)")
        % {"number": case.number},
        url=case_url(case),
        school_id=case.school_id,
    )
    return plan


@service
def plan_approve(*, actor: User, plan: SupportPlan) -> SupportPlan:
    """The director approves a plan; the previous version is kept as superseded."""
    case = lock_case(plan.case)
    plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.state != SupportPlan.State.DRAFT:
        raise ValidationError(_("Only a draft plan can be approved."))
    if not plan.measures.exists():
        raise ValidationError(_("A plan needs at least one measure."))
    if (
        case.requires_conference
        and not case.conferences.filter(state=Conference.State.HELD).exists()
    ):
        raise ValidationError(_("This case needs a case conference before its plan is approved."))
    case.plans.filter(state=SupportPlan.State.APPROVED).update(state=SupportPlan.State.SUPERSEDED)
    plan.state = SupportPlan.State.APPROVED
    plan.approved_by, plan.approved_at = actor, timezone.now()
    plan.next_review_on = timezone.localdate() + datetime.timedelta(weeks=plan.review_every_weeks)
    plan.save()
    step_done(kind="plan_approval", obj=case)
    if case.state == Case.State.ASSESSING:
        move_case(case, Case.State.ACTIVE)
        case.save()
    responsible = [
        m.responsible for m in plan.measures.select_related("responsible") if m.responsible
    ]
    notify(
        recipients=responsible,
        title=_("A support measure is asked of you (case %(number)s)") % {"number": case.number},
        url=reverse("cases:my_tasks"),
        level=Notification.Level.ACTION,
        school_id=case.school_id,
    )
    tell(
        [c.user for c in case.counselors.select_related("user")],
        case,
        _("The plan of case %(number)s is approved") % {"number": case.number},
        Notification.Level.INFO,
    )
    return plan


@service
def measure_log_activity(
    *, actor: User, measure: PlanMeasure, on: datetime.date, note: str, minutes: int | None = None
) -> MeasureActivity:
    """A tutoring session or another step of a measure, logged by the person responsible."""
    if not note.strip():
        raise ValidationError(_("Write what was done."))
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    require_working(measure.plan.case)
    activity = MeasureActivity.objects.create(
        measure=measure, on=on, minutes=minutes, note=note.strip(), logged_by=actor
    )
    if measure.status == PlanMeasure.Status.PLANNED:
        measure.status = PlanMeasure.Status.ONGOING
        measure.save(update_fields=["status"])
    return activity


@service
def measure_set_status(*, actor: User, measure: PlanMeasure, status: str) -> PlanMeasure:
    if status not in PlanMeasure.Status.values:
        raise ValidationError(_("Unknown status."))
    require_working(measure.plan.case)
    measure.status = status
    measure.save(update_fields=["status"])
    return measure
