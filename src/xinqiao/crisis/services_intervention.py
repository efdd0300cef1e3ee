"""The intervention of an alert, the disclosure register and emergency access (issue 14 items 5
and 6; seeds 000, 001, 002).

Services trust their caller: the getter and the view (crisis/access.py, crisis/rules.py) have
decided that the actor may do this. Each is a ``@service`` (core/history.py): one transaction,
the actor recorded. Notices name no student and copy no typed text (core/notifications.py).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.access_log import record_access
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.crisis.casework import case_work
from xinqiao.crisis.disclosures import record_disclosure
from xinqiao.crisis.models import (
    Alert,
    CrisisRecord,
    Disclosure,
    EmergencyAccess,
    FollowUp,
    GuardianContact,
    SafetyPlan,
)
from xinqiao.crisis.services import alert_acknowledge, alert_transition
from xinqiao.people.models import Student
from xinqiao.people.selectors import holders_of

FOLLOW_UP_STEP = "crisis_follow_up"
REVIEW_STEP = "emergency_access_review"


# --- the crisis record ----------------------------------------------------------------------------
def record_url(alert: Alert) -> str:
    return reverse("crisis:crisis_record", args=[alert.pk])


def _open_follow_up_step(record: CrisisRecord, assignee: User | None) -> None:
    """The next follow-up not yet done waits for the counselor (one step at a time)."""
    following = record.follow_ups.filter(done_at__isnull=True).first()
    if following is None or assignee is None:
        return
    step_waiting(
        kind=FOLLOW_UP_STEP,
        obj=following,
        assignees=[assignee],
        title=_("A crisis follow-up (day %(day)s) is due on %(date)s")
        % {"day": following.day, "date": following.due_on.isoformat()},
        url=record_url(record.alert),
        school_id=record.alert.school_id,
    )


@service
def intervention_open(*, actor: User, alert: Alert, with_student: str = "") -> CrisisRecord:
    """Begin the crisis record: the alert goes into intervention, its student's case is opened
    or joined (through ``crisis.casework``) and the follow-ups are scheduled
    (``settings.CRISIS_FOLLOW_UP_DAYS`` after today). Opening it twice gives the same record."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    existing = CrisisRecord.objects.filter(alert=alert).first()
    if existing is not None:
        return existing
    if alert.state == Alert.State.RAISED:
        alert = alert_acknowledge(actor=actor, alert=alert)
    if alert.state == Alert.State.ACKNOWLEDGED:
        alert = alert_transition(actor=actor, alert=alert, to_state=Alert.State.IN_INTERVENTION)
    if alert.state != Alert.State.IN_INTERVENTION:
        raise ValidationError(
            _("An alert that is %(state)s has no intervention.")
            % {"state": alert.get_state_display()}
        )
    record = CrisisRecord.objects.create(
        alert=alert, with_student=with_student.strip(), opened_by=actor
    )
    today = timezone.localdate()
    FollowUp.objects.bulk_create(
        FollowUp(record=record, day=day, due_on=today + datetime.timedelta(days=day))
        for day in settings.CRISIS_FOLLOW_UP_DAYS
    )
    if alert.student is not None:
        case = case_work().open_or_join(actor=actor, student=alert.student, alert=alert)
        record.case_id, record.case_number = case.id, case.number
        record.save(update_fields=["case_id", "case_number"])
    _open_follow_up_step(record, actor)
    return record


def _writable(record: CrisisRecord) -> CrisisRecord:
    locked = CrisisRecord.objects.select_for_update().select_related("alert").get(pk=record.pk)
    if locked.is_closed:
        raise ValidationError(_("This crisis record is closed."))
    return locked


@service
def record_details_save(
    *, actor: User, record: CrisisRecord, with_student: str, return_plan: str
) -> CrisisRecord:
    """Who is with the student now, and the plan for their return to school."""
    record = _writable(record)
    record.with_student = with_student.strip()
    record.return_plan = return_plan.strip()
    record.save(update_fields=["with_student", "return_plan", "updated_at"])
    return record


@service
def safety_plan_save(*, actor: User, record: CrisisRecord, **texts: str) -> SafetyPlan:
    """Write the safety plan (its five parts); it cannot be empty."""
    record = _writable(record)
    values = {name: (texts.get(name) or "").strip() for name in SafetyPlan.TEXT_FIELDS}
    if not values["warning_signs"] or not values["coping_steps"]:
        raise ValidationError(_("Write at least the warning signs and the coping steps."))
    plan, _created = SafetyPlan.objects.update_or_create(
        record=record, defaults={**values, "updated_by": actor, "updated_at": timezone.now()}
    )
    return plan


def _disclose(actor: User, record: CrisisRecord, request, **entry) -> Disclosure:
    """The intervention's entry in the register (on the actor's decision), and the line in
    the access log that points to it."""
    alert = record.alert
    disclosure = record_disclosure(
        actor=actor, school_id=alert.school_id, student=alert.student, alert=alert, **entry
    )
    record_access(
        actor=actor,
        action="disclose",
        obj=alert,
        basis=f"disclosure register #{disclosure.pk}",
        request=request,
    )
    return disclosure


@service
def guardian_contact_record(
    *,
    actor: User,
    record: CrisisRecord,
    guardian: str,
    contacted_at: datetime.datetime,
    said: str,
    ground: str = Disclosure.Ground.SAFETY,
    request=None,
) -> GuardianContact:
    """A guardian was told: the contact and its entry in the disclosure register, together
    (seed 001: 向学生法律监护人…汇报 only with consent, for safety, or as the law asks)."""
    record = _writable(record)
    guardian, said = guardian.strip(), said.strip()
    if not guardian or not said:
        raise ValidationError(_("Say which guardian was contacted and what was said."))
    if contacted_at > timezone.now():
        raise ValidationError(_("The contact cannot be in the future."))
    why = _("Crisis intervention (%(level)s alert)") % {
        "level": record.alert.get_risk_level_display()
    }
    disclosure = _disclose(
        actor,
        record,
        request,
        recipient_kind=Disclosure.RecipientKind.GUARDIAN,
        recipient=guardian,
        what=said,
        why=why,
        ground=ground,
    )
    return GuardianContact.objects.create(
        record=record,
        guardian=guardian,
        contacted_at=contacted_at,
        contacted_by=actor,
        said=said,
        disclosure=disclosure,
    )


# Whom an intervention tells besides the guardians (each their own form): leadership, staff
# asked to act, a hospital, the police (seed 000: 应果断报告有关部门).
OTHER_RECIPIENTS = (
    Disclosure.RecipientKind.LEADERSHIP,
    Disclosure.RecipientKind.SCHOOL_STAFF,
    Disclosure.RecipientKind.HOSPITAL,
    Disclosure.RecipientKind.POLICE,
)


@service
def intervention_disclose(
    *,
    actor: User,
    record: CrisisRecord,
    recipient_kind: str,
    recipient: str,
    what: str,
    why: str,
    ground: str,
    request=None,
) -> Disclosure:
    """The intervention told someone outside the counseling side (the principal, a hospital,
    the police): its entry in the register, on the actor's decision."""
    record = _writable(record)
    if recipient_kind not in OTHER_RECIPIENTS:
        raise ValidationError(_("Say to whom the information went."))
    return _disclose(
        actor,
        record,
        request,
        recipient_kind=recipient_kind,
        recipient=recipient,
        what=what,
        why=why,
        ground=ground,
    )


@service
def follow_up_record(*, actor: User, follow_up: FollowUp, note: str) -> FollowUp:
    """A follow-up contact done; the next one waits for the counselor. Follow-ups go on after
    the record is closed (day 30 usually comes after the alert is resolved)."""
    if not note.strip():
        raise ValidationError(_("Write how the student is."))
    follow_up = (
        FollowUp.objects.select_for_update().select_related("record__alert").get(pk=follow_up.pk)
    )
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up is already recorded."))
    follow_up.done_at, follow_up.done_by, follow_up.note = timezone.now(), actor, note.strip()
    follow_up.save(update_fields=["done_at", "done_by", "note"])
    step_done(obj=follow_up)
    _open_follow_up_step(follow_up.record, actor)
    return follow_up


@service
def intervention_close(*, actor: User, record: CrisisRecord, summary: str) -> CrisisRecord:
    """Close the record with its summary; the alert is resolved."""
    if not summary.strip():
        raise ValidationError(_("Write the closing summary."))
    record = _writable(record)
    record.closure_summary = summary.strip()
    record.closed_at, record.closed_by = timezone.now(), actor
    record.save(update_fields=["closure_summary", "closed_at", "closed_by", "updated_at"])
    if Alert.State.RESOLVED in Alert.TRANSITIONS[record.alert.state]:
        # (An alert already resolved from its own page keeps its resolution.)
        alert_transition(
            actor=actor,
            alert=record.alert,
            to_state=Alert.State.RESOLVED,
            note=_("Closed with the crisis record's summary."),
        )
    return record


# --- emergency access (break-glass) ---------------------------------------------------------------
def may_open_in_emergency(user: User, school_id: int) -> bool:
    """A counselor or the principal of the student's school (DESIGN.md principle 1)."""
    return user.has_role(Role.COUNSELOR, Role.PRINCIPAL, school_id=school_id)


@service
def emergency_access_open(
    *, actor: User, student: Student, reason: str, request=None
) -> EmergencyAccess:
    """Open the student's file at once: the director is told in this same transaction, the
    access lasts ``settings.EMERGENCY_ACCESS_HOURS`` and waits for the director's review.
    Asked again while one is in force, the same access is given (no second notice)."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(_("Write why the file must be opened now (at least 10 characters)."))
    if not may_open_in_emergency(actor, student.school_id):
        raise ValidationError(_("Only a counselor or the principal of the school may do this."))
    in_force = EmergencyAccess.in_force_for(actor, student.pk)
    if in_force is not None:
        return in_force
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        school_id=student.school_id,
        student=student,
        user=actor,
        reason=reason,
        opened_at=now,
        expires_at=now + datetime.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS),
    )
    record_access(actor=actor, action="emergency", obj=access, basis=access.basis, request=request)
    directors = list(holders_of(student.school_id, Role.DIRECTOR))
    notify(
        recipients=directors,
        title=_("Emergency access to a student's file by %(name)s") % {"name": actor.display_name},
        body=_("It lasts until %(until)s. Review it in the list of emergency accesses.")
        % {"until": timezone.localtime(access.expires_at).strftime("%Y-%m-%d %H:%M")},
        url=reverse("crisis:emergency_access_review_list"),
        level=Notification.Level.URGENT,
        school_id=student.school_id,
    )
    # Beside the alarm, the review waits on the director's list of steps until it is recorded.
    step_waiting(
        kind=REVIEW_STEP,
        obj=access,
        assignees=directors,
        title=_("An emergency access waits for your review"),
        url=reverse("crisis:emergency_access_review_list"),
        school_id=student.school_id,
    )
    return access


@service
def emergency_access_review(
    *, actor: User, access: EmergencyAccess, outcome: str, note: str = ""
) -> EmergencyAccess:
    """The director's review of an emergency access: it leaves the review list."""
    if outcome not in EmergencyAccess.Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the review.")})
    if outcome == EmergencyAccess.Outcome.NOT_JUSTIFIED and not note.strip():
        raise ValidationError({"note": _("Say what was not justified.")})
    access = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
    if access.reviewed_at is not None:
        raise ValidationError(_("This emergency access is already reviewed."))
    access.outcome, access.review_note = outcome, note.strip()
    access.reviewed_by, access.reviewed_at = actor, timezone.now()
    access.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
    step_done(obj=access, kind=REVIEW_STEP)
    return access
