"""State changes of phone and walk-in intake (seed 000: 接听来电): recording a call or a visit,
booking the caller an appointment, or raising an alert through the crisis app. Services trust
their caller to have decided permission (rooms/access.py); each is one transaction (``@service``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.crisis.models import Alert
from xinqiao.crisis.phrases import flag_danger
from xinqiao.crisis.services import raise_alert
from xinqiao.people.models import School, Student
from xinqiao.rooms.appointments.services import Topic, appointment_book
from xinqiao.rooms.models import Appointment, AppointmentSlot, Intake
from xinqiao.rooms.roster.selectors import current_shift_of


@service
def intake_record(
    *,
    actor: User,
    school: School,
    channel: str,
    caller_kind: str,
    concern: str,
    caller_name: str = "",
    contact: str = "",
    student: Student | None = None,
    urgency: str = Intake.Urgency.NORMAL,
    answered: bool = False,
    submission_key: str | None = None,
) -> Intake:
    """Record a call or a visit. The form's one-time ``submission_key`` makes a double
    submission (a double tap, a resent form after the network dropped) store one intake."""
    if channel not in Intake.Channel.values or caller_kind not in Intake.CallerKind.values:
        raise ValidationError(_("Say how and by whom the contact was made."))
    if urgency not in Intake.Urgency.values:
        raise ValidationError(_("Unknown urgency."))
    if not (concern or "").strip():
        raise ValidationError(_("Write the concern in a few words."))
    if student is not None and student.school_id != school.pk:
        raise ValidationError(_("The student is not a student of this school."))
    submission_key = (submission_key or "").strip() or None
    with transaction.atomic():
        if submission_key:
            existing = Intake.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return _same_submitter(existing, actor)
        try:
            with transaction.atomic():
                intake = Intake.objects.create(
                    school=school,
                    shift=current_shift_of(actor, school_id=school.pk),
                    received_by=actor,
                    channel=channel,
                    caller_kind=caller_kind,
                    caller_name=caller_name.strip(),
                    contact=contact.strip(),
                    student=student,
                    concern=concern.strip(),
                    urgency=urgency,
                    outcome=Intake.Outcome.ANSWERED if answered else Intake.Outcome.OPEN,
                    submission_key=submission_key,
                )
                _flag_danger(actor, intake)
        except IntegrityError:
            existing = Intake.objects.filter(submission_key=submission_key).first()
            if submission_key is None or existing is None:
                raise
            return _same_submitter(existing, actor)
    return intake


def _flag_danger(actor: User, intake: Intake) -> None:
    """A concern that says a danger phrase (crisis/phrases.py) becomes an alert at once."""
    source, description = _alert_source(intake)
    alert = flag_danger(
        actor=actor,
        school=intake.school,
        text=intake.concern,
        source=source,
        source_object=intake,
        student=intake.student,
        person_description=description,
    )
    if alert is not None:
        intake.outcome = Intake.Outcome.ALERT
        intake.urgency = Intake.Urgency.URGENT
        intake.save(update_fields=["outcome", "urgency"])


def _alert_source(intake: Intake) -> tuple[str, str]:
    """The alert source of an intake's channel, and who the alert is about when no student."""
    description = ""
    if intake.student is None:
        who = " ".join(part for part in (intake.caller_name, intake.contact) if part)
        description = f"{intake.get_caller_kind_display()} {who}".strip()
    if intake.channel == Intake.Channel.PHONE:
        return Alert.Source.DUTY_PHONE, description
    return Alert.Source.WALK_IN, description


def _same_submitter(intake: Intake, actor: User) -> Intake:
    if intake.received_by_id != actor.pk:  # a token is only ever handed to one person's form
        raise PermissionDenied
    return intake


@service
def intake_to_appointment(
    *,
    actor: User,
    intake: Intake,
    slot: AppointmentSlot,
    topic: str = Topic.OTHER,
    for_kind: str | None = None,
) -> Appointment:
    """Book a slot for the caller of an intake (the duty person books on their behalf)."""
    if for_kind is None:
        for_kind = {
            Intake.CallerKind.GUARDIAN: Appointment.ForKind.GUARDIAN,
            Intake.CallerKind.TEACHER: Appointment.ForKind.TEACHER,
        }.get(intake.caller_kind, Appointment.ForKind.STUDENT)
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        current = locked.appointments.filter(state__in=("booked", "checked_in")).first()
        if current is not None:
            if current.slot_id == slot.pk:  # the same request again
                return current
            raise ValidationError(
                _("This caller already has an appointment; reschedule it instead.")
            )
        appointment = appointment_book(
            actor=actor,
            slot=slot,
            topic=topic,
            for_kind=for_kind,
            student=locked.student,
            person_name=locked.caller_name or (locked.student.name if locked.student else ""),
            contact=locked.contact,
            intake=locked,
        )
        if locked.outcome != Intake.Outcome.ALERT:
            locked.outcome = Intake.Outcome.APPOINTMENT
            locked.save(update_fields=["outcome"])
    return appointment


def intake_alert(intake: Intake) -> Alert | None:
    return Alert.objects.filter(
        source_type=Intake._meta.label, source_id=str(intake.pk), school_id=intake.school_id
    ).first()


@service
def intake_to_alert(
    *, actor: User, intake: Intake, risk_level: str, what_was_said: str = ""
) -> Alert:
    """Turn an urgent call or visit into an alert through the one alert service.

    The concern (and what the duty person adds) becomes the alert's confidential evidence; the
    director and the counselors are told in-app at once by ``raise_alert``. Asking twice
    returns the alert already raised.
    """
    locked = (
        Intake.objects.select_for_update(of=("self",))
        .select_related("student", "school")
        .get(pk=intake.pk)
    )
    existing = intake_alert(locked)
    if existing is not None:
        return existing
    evidence = locked.concern
    if what_was_said.strip():
        evidence = f"{evidence}\n\n{what_was_said.strip()}"
    source, description = _alert_source(locked)
    alert = raise_alert(
        actor=actor,
        school=locked.school,
        risk_level=risk_level,
        source=source,
        evidence=evidence,
        student=locked.student,
        person_description=description,
        source_object=locked,
    )
    locked.outcome = Intake.Outcome.ALERT
    locked.urgency = Intake.Urgency.URGENT
    locked.save(update_fields=["outcome", "urgency"])
    return alert
