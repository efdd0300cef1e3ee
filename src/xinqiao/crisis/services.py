"""The single entry point for alerts. Every source (duty phone, letters, screening, network
reports, counseling) calls ``raise_alert``; escalation along the network builds on it.

Services trust their caller: the getter and the view (crisis/access.py, crisis/rules.py) have
decided that the actor may do this. Each service that takes an ``actor`` is a ``@service``
(core/history.py): one transaction, the actor recorded as the author in the change history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.delivery import deliveries_cancel
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.roles import Role
from xinqiao.crisis.escalation import escalation_open
from xinqiao.crisis.models import Alert, AlertEvent
from xinqiao.crisis.recipients import counselors_for
from xinqiao.people.models import School, Student
from xinqiao.people.selectors import holders_of


def alert_recipients(*, alert: Alert) -> list[User]:
    """Who must know at once: the school's director(s) and the student's counselor(s)
    (``crisis.recipients.counselors_for``)."""
    directors = holders_of(alert.school_id, Role.DIRECTOR)
    counselors = counselors_for(school_id=alert.school_id, student_id=alert.student_id)
    return list((directors | counselors).distinct())


def _record(alert: Alert, *, actor: User | None, from_state: str, note: str = "", at=None) -> None:
    AlertEvent.objects.create(
        alert=alert,
        from_state=from_state,
        to_state=alert.state,
        actor=actor,
        actor_username=getattr(actor, "username", ""),
        note=note,
        at=at or timezone.now(),
    )


@service
def raise_alert(
    *,
    actor: User | None,
    school: School,
    risk_level: str,
    source: str,
    evidence: str,
    student: Student | None = None,
    person_description: str = "",
    source_object: models.Model | None = None,
    raise_key: str = "",
) -> Alert:
    """Raise an alert and tell the responsible people in-app at once (after commit).

    Raising the same alert twice stores it once: ``raise_key`` names it (by default the source
    object and the student); a second call with the same key returns the first alert, also
    when two requests race (the database's unique constraint decides).
    """
    if student is not None and student.school_id != school.pk:
        raise ValidationError(_("The student is not a student of this school."))
    if student is None and not person_description.strip():
        raise ValidationError(_("Say who the alert is about."))
    if risk_level not in Alert.RiskLevel.values or source not in Alert.Source.values:
        raise ValidationError(_("Unknown risk level or source."))
    if not raise_key and source_object is not None:
        raise_key = f"{source_object._meta.label}:{source_object.pk}:{getattr(student, 'pk', '')}"
    if raise_key:
        existing = Alert.objects.filter(school=school, raise_key=raise_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            alert = _create_alert(
                school=school,
                student=student,
                person_description=person_description,
                risk_level=risk_level,
                source=source,
                source_object=source_object,
                evidence=evidence,
                actor=actor,
                raise_key=raise_key,
            )
    except IntegrityError:
        if not raise_key:
            raise
        return Alert.objects.get(school=school, raise_key=raise_key)
    _record(alert, actor=actor, from_state="", at=alert.raised_at)
    # The first step of its escalation along the network (crisis/escalation.py) tells the
    # responsible people now and records the disclosure.
    escalation_open(alert=alert, actor=actor)
    return alert


def _create_alert(*, source_object, actor, person_description, **fields) -> Alert:
    return Alert.objects.create(
        person_description=person_description.strip(),
        source_type=source_object._meta.label if source_object is not None else "",
        source_id=str(source_object.pk) if source_object is not None else "",
        raised_by=actor,
        **fields,
    )


@service
def alert_transition(*, actor: User, alert: Alert, to_state: str, note: str = "") -> Alert:
    """Move an alert along its state machine; refused transitions raise ValidationError."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if to_state not in Alert.TRANSITIONS[locked.state]:
        raise ValidationError(
            _("An alert that is %(state)s cannot become %(to)s.")
            % {"state": locked.get_state_display(), "to": Alert.State(to_state).label}
        )
    from_state = locked.state
    locked.state = to_state
    locked.save(update_fields=["state", "updated_at"])
    _record(locked, actor=actor, from_state=from_state, note=note)
    if from_state == Alert.State.RAISED:
        # Someone has it: the e-mails and robot messages not sent yet are no longer needed.
        deliveries_cancel(about=locked)
    return locked


@service
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    return alert_transition(actor=actor, alert=alert, to_state=Alert.State.ACKNOWLEDGED)


def alert_notice_acknowledged(notification: Notification, user: User) -> None:
    """Acknowledging a notice about a waiting alert acknowledges the alert (registered with
    core.notifications in CrisisConfig.ready; runs inside the acknowledging transaction)."""
    if notification.object_type != Alert._meta.label or notification.object_id is None:
        return
    alert = Alert.objects.filter(pk=notification.object_id).first()
    if (
        alert is not None
        and alert.state == Alert.State.RAISED
        and user.has_perm("crisis.acknowledge_alert", alert)
    ):
        alert_acknowledge(actor=user, alert=alert)


@service
def alert_resolve(*, actor: User, alert: Alert, note: str) -> Alert:
    if not note.strip():
        raise ValidationError(_("Write how the alert was resolved."))
    return alert_transition(actor=actor, alert=alert, to_state=Alert.State.RESOLVED, note=note)


@service
def alert_dismiss(*, actor: User, alert: Alert, reason: str) -> Alert:
    """A false alarm: closed with the reason, which stays on the alert's timeline."""
    if not reason.strip():
        raise ValidationError(_("Write why the alert is dismissed."))
    return alert_transition(actor=actor, alert=alert, to_state=Alert.State.DISMISSED, note=reason)
