"""State changes of appointment slots and appointments.

Seed 000: the duty staff register appointments (面谈预约登记); seed 001: the room receives
students and parents at set times. Services trust their caller to have decided permission
(rooms/access.py); ``appointment_book`` only asks whose booking it is (one's own, or for others).
Each is one transaction (``@service``); notifications are e-mailed by the task queue after it.

Two bookings of one place can never both succeed: ``Appointment.exclusive_slot`` carries the
slot of a one-place slot and the partial unique constraint ``rooms_one_booking_per_slot``
refuses a second active booking, however close together they arrive. Group slots lock the slot
row and count (SQLite serialises writers with IMMEDIATE transactions anyway).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.people.models import Student
from xinqiao.rooms.appointments import selectors
from xinqiao.rooms.models import Appointment, AppointmentSlot, Intake, Room

ACTIVE = Appointment.ACTIVE_STATES

# A student booking for themself keeps at most this many upcoming appointments, so that one
# person cannot take every free time of the week.
MAX_OPEN_OWN_BOOKINGS = 3

# How far ahead slots may be generated in one go (a semester is about 20 weeks).
MAX_GENERATE_DAYS = 150

# A notification never copies the reason (free text, encrypted on the appointment): it says
# where to read it, on the page that shows it to those allowed.
SEE_THE_REASON = gettext_lazy("Open the appointment to see the reason.")


class Topic(models.TextChoices):
    """What the appointment is about, in broad words only: the list of bookings is read at the
    door by the duty staff, so nothing more private than this is asked when booking."""

    STUDY = "study", gettext_lazy("study and exams")
    RELATIONSHIPS = "relationships", gettext_lazy("friends and classmates")
    FAMILY = "family", gettext_lazy("family")
    FEELINGS = "feelings", gettext_lazy("feelings and mood")
    GROWING_UP = "growing_up", gettext_lazy("growing up")
    FUTURE = "future", gettext_lazy("the future and choices")
    GROUP = "group", gettext_lazy("group session")
    OTHER = "other", gettext_lazy("something else")


def topic_label(code: str) -> str:
    return str(Topic(code).label) if code in Topic.values else code


class SlotTaken(Exception):
    """The slot has no place left; ``next_slots`` are the free slots to offer instead."""

    def __init__(self, slot: AppointmentSlot, next_slots: list[AppointmentSlot]):
        self.slot = slot
        self.next_slots = next_slots
        super().__init__(_("This time has just been taken. Here are the next free times."))


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."))
    if len(reason) > 300:
        raise ValidationError(_("Keep the reason under 300 characters."))
    return reason


# --- slots -----------------------------------------------------------------------------------
def _check_slot(
    *,
    room: Room,
    counselor: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    is_group: bool,
) -> None:
    if ends_at <= starts_at:
        raise ValidationError(_("A slot ends after it starts."))
    if starts_at <= timezone.now():
        raise ValidationError(_("A slot must start in the future."))
    if not selectors.counselors_of_school(room.school_id).filter(pk=counselor.pk).exists():
        raise ValidationError(_("Only the school's counselors and director offer appointments."))
    if not room.is_active:
        raise ValidationError(_("This room is not in use."))
    if is_group and not (2 <= capacity <= max(room.capacity, 2)):
        raise ValidationError(
            _("A group session has between 2 and %(max)s places in this room.")
            % {"max": max(room.capacity, 2)}
        )
    overlapping = AppointmentSlot.objects.filter(
        cancelled=False, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).filter(Q(counselor=counselor) | Q(room=room))
    if overlapping.exists():
        raise ValidationError(_("The counselor or the room already has a slot at that time."))


@service
def slot_create(
    *,
    actor: User,
    room: Room,
    counselor: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    is_group: bool = False,
    capacity: int = 1,
    topic: str = "",
) -> AppointmentSlot:
    """Publish one time a counselor offers in a room (a group session takes several people)."""
    capacity = capacity if is_group else 1
    with transaction.atomic():
        _check_slot(
            room=room,
            counselor=counselor,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            is_group=is_group,
        )
        try:
            with transaction.atomic():
                return AppointmentSlot.objects.create(
                    school_id=room.school_id,
                    room=room,
                    counselor=counselor,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=capacity,
                    is_group=is_group,
                    topic=topic.strip(),
                )
        except IntegrityError:  # another slot at that moment was saved just before
            raise ValidationError(
                _("The counselor or the room already has a slot at that time.")
            ) from None


@service
def slots_generate(
    *,
    actor: User,
    room: Room,
    counselor: User,
    first_day: datetime.date,
    last_day: datetime.date,
    weekdays: list[int],
    times: list[datetime.time],
    minutes: int,
) -> tuple[list[AppointmentSlot], list[datetime.datetime]]:
    """Publish the same one-place times on chosen weekdays over a period (holidays skipped).

    Returns the slots made and the times left out because they clash or are past.
    """
    if last_day < first_day:
        raise ValidationError(_("The last day comes before the first day."))
    if (last_day - first_day).days > MAX_GENERATE_DAYS:
        raise ValidationError(
            _("Generate at most %(days)s days at once.") % {"days": MAX_GENERATE_DAYS}
        )
    if not weekdays or not times or not (10 <= minutes <= 240):
        raise ValidationError(_("Choose weekdays, start times and a length of 10 to 240 minutes."))
    semesters = list(room.school.semesters.filter(starts_on__lte=last_day, ends_on__gte=first_day))
    created: list[AppointmentSlot] = []
    skipped: list[datetime.datetime] = []
    with transaction.atomic():
        day = first_day
        while day <= last_day:
            holiday = any(s.starts_on <= day <= s.ends_on and s.is_holiday(day) for s in semesters)
            if day.weekday() in weekdays and not holiday:
                for start in sorted(times):
                    starts_at = timezone.make_aware(datetime.datetime.combine(day, start))
                    try:
                        created.append(
                            slot_create(
                                actor=actor,
                                room=room,
                                counselor=counselor,
                                starts_at=starts_at,
                                ends_at=starts_at + datetime.timedelta(minutes=minutes),
                            )
                        )
                    except ValidationError:
                        skipped.append(starts_at)
            day += datetime.timedelta(days=1)
    return created, skipped


@service
def slot_cancel(*, actor: User, slot: AppointmentSlot, reason: str) -> AppointmentSlot:
    """Withdraw a slot; its bookings are cancelled with the reason and the people told."""
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.cancelled:
            return locked
        if locked.ends_at <= timezone.now():
            raise ValidationError(_("A slot that has passed cannot be withdrawn."))
        for appointment in locked.appointments.filter(state=Appointment.State.BOOKED):
            _set_state(appointment, Appointment.State.CANCELLED, reason)
            _tell_person(
                appointment,
                actor=actor,
                title=_("Your appointment on %(time)s was cancelled")
                % {"time": _local(locked.starts_at)},
                body=SEE_THE_REASON,
            )
        locked.cancelled = True
        locked.save(update_fields=["cancelled"])
    return locked


# --- booking ---------------------------------------------------------------------------------
@service
def appointment_book(
    *,
    actor: User,
    slot: AppointmentSlot,
    topic: str = Topic.OTHER,
    for_kind: str = Appointment.ForKind.STUDENT,
    student: Student | None = None,
    person_name: str = "",
    contact: str = "",
    intake: Intake | None = None,
) -> Appointment:
    """Book a place of ``slot``.

    A student books for themself; the counseling side and the duty staff book for a student,
    a guardian or a teacher. When the place was taken a moment earlier, ``SlotTaken`` carries
    the next free slots. Booking the same slot again for the same student returns the booking
    already made (a form sent twice).
    """
    if topic not in Topic.values:
        raise ValidationError(_("Choose what the appointment is about."))
    for_others = actor.has_perm("rooms.book_for_others", slot)
    if for_others:
        if for_kind not in Appointment.ForKind.values:
            raise ValidationError(_("Say who the appointment is for."))
        if student is not None and student.school_id != slot.school_id:
            raise ValidationError(_("The student is not a student of this school."))
        if student is None and not person_name.strip():
            raise ValidationError(_("Give the name of the person who comes."))
    elif actor.has_perm("rooms.book_own", slot):
        own = selectors.own_student_record(actor, slot.school_id)
        if own is None or (student is not None and student.pk != own.pk):
            raise PermissionDenied
        for_kind, student, person_name = Appointment.ForKind.STUDENT, own, own.name
    else:
        raise PermissionDenied
    with transaction.atomic():
        appointment, created = _book(
            actor=actor,
            slot=slot,
            topic=topic,
            for_kind=for_kind,
            student=student,
            person_name=person_name.strip() or (student.name if student else ""),
            contact=contact.strip(),
            intake=intake,
            own=not for_others,
        )
        if created:
            _tell_counselor(
                appointment,
                actor=actor,
                title=_("New appointment on %(time)s (%(kind)s)")
                % {
                    "time": _local(appointment.slot.starts_at),
                    "kind": appointment.get_for_kind_display(),
                },
            )
            _tell_person(
                appointment,
                actor=actor,
                title=_("An appointment was booked for you on %(time)s")
                % {"time": _local(appointment.slot.starts_at)},
                body=_where(appointment.slot),
            )
    return appointment


def _where(slot: AppointmentSlot) -> str:
    place = f"{slot.room.name} {slot.room.location}".strip()
    return _("With %(counselor)s in %(place)s.") % {
        "counselor": slot.counselor.display_name,
        "place": place,
    }


def _book(
    *,
    actor: User,
    slot: AppointmentSlot,
    topic: str,
    for_kind: str,
    student: Student | None,
    person_name: str,
    contact: str,
    intake: Intake | None,
    own: bool,
) -> tuple[Appointment, bool]:
    """The booking itself, inside the caller's transaction: (appointment, created)."""
    if slot.is_group:
        # Count under the slot's row lock: no two group bookings count at the same time.
        slot = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
    else:
        slot = AppointmentSlot.objects.get(pk=slot.pk)
    if slot.cancelled:
        raise ValidationError(_("This time is no longer offered."))
    if slot.starts_at <= timezone.now():
        raise ValidationError(_("This time has already begun."))
    if student is not None:
        again = slot.appointments.filter(student=student, state__in=ACTIVE).first()
        if again is not None:
            return again, False
        _check_student_is_free(student=student, slot=slot, own=own)
    if slot.is_group and slot.appointments.filter(state__in=ACTIVE).count() >= slot.capacity:
        raise SlotTaken(slot, selectors.next_free_slots(slot=slot))
    fields = {
        "school_id": slot.school_id,
        "slot": slot,
        "exclusive_slot": None if slot.is_group else slot,
        "for_kind": for_kind,
        "student": student,
        "person_name": person_name,
        "contact": contact,
        "topic": Topic.GROUP if slot.is_group else topic,
        "booked_by": actor,
        "intake": intake,
    }
    try:
        with transaction.atomic():  # a savepoint: the refusal leaves the transaction usable
            return Appointment.objects.create(**fields), True
    except IntegrityError:
        if student is not None:
            again = slot.appointments.filter(student=student, state__in=ACTIVE).first()
            if again is not None:
                return again, False
        raise SlotTaken(slot, selectors.next_free_slots(slot=slot)) from None


def _check_student_is_free(*, student: Student, slot: AppointmentSlot, own: bool) -> None:
    upcoming = Appointment.objects.filter(
        student=student, state=Appointment.State.BOOKED, slot__starts_at__gt=timezone.now()
    )
    if upcoming.filter(slot__starts_at__lt=slot.ends_at, slot__ends_at__gt=slot.starts_at).exists():
        raise ValidationError(_("There is already an appointment at that time."))
    if own and upcoming.count() >= MAX_OPEN_OWN_BOOKINGS:
        raise ValidationError(
            _("You already have %(count)s appointments coming up. Cancel one to book another.")
            % {"count": MAX_OPEN_OWN_BOOKINGS}
        )


# --- after booking ---------------------------------------------------------------------------
TRANSITIONS: dict[str, set[str]] = {
    Appointment.State.BOOKED: {
        Appointment.State.CANCELLED,
        Appointment.State.CHECKED_IN,
        Appointment.State.NO_SHOW,
        Appointment.State.COMPLETED,
    },
    Appointment.State.CHECKED_IN: {Appointment.State.COMPLETED},
    Appointment.State.COMPLETED: set(),
    Appointment.State.CANCELLED: set(),
    Appointment.State.NO_SHOW: set(),
}


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__counselor", "slot__room", "student__user")
        .get(pk=appointment.pk)
    )


def _set_state(appointment: Appointment, to_state: str, reason: str = "") -> Appointment:
    if to_state not in TRANSITIONS[appointment.state]:
        raise ValidationError(
            _("An appointment that is %(state)s cannot become %(to)s.")
            % {
                "state": appointment.get_state_display(),
                "to": Appointment.State(to_state).label,
            }
        )
    appointment.state = to_state
    appointment.state_reason = reason
    appointment.state_changed_at = timezone.now()
    appointment.save(update_fields=["state", "state_reason", "state_changed_at"])
    return appointment


@service
def appointment_cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    """Cancel a booking with a reason; the place is free again at once."""
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = _locked(appointment)
        staff = actor.has_perm("rooms.book_for_others", locked.slot)
        if not staff and locked.slot.starts_at <= timezone.now():
            raise ValidationError(_("The appointment has begun; it can no longer be cancelled."))
        _set_state(locked, Appointment.State.CANCELLED, reason)
        when = _local(locked.slot.starts_at)
        _tell_counselor(
            locked,
            actor=actor,
            title=_("Appointment on %(time)s cancelled") % {"time": when},
            body=SEE_THE_REASON,
        )
        _tell_person(
            locked,
            actor=actor,
            title=_("Your appointment on %(time)s was cancelled") % {"time": when},
            body=SEE_THE_REASON,
        )
    return locked


@service
def appointment_reschedule(
    *, actor: User, appointment: Appointment, new_slot: AppointmentSlot, reason: str
) -> Appointment:
    """Move a booking to another slot: the old one is cancelled with the reason and the new
    one booked, in one transaction (if the new slot is taken, nothing changes)."""
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = _locked(appointment)
        if locked.state != Appointment.State.BOOKED:
            raise ValidationError(_("Only a booked appointment can be moved."))
        if new_slot.pk == locked.slot_id:
            raise ValidationError(_("Choose another time."))
        if new_slot.school_id != locked.school_id:
            raise ValidationError(_("Choose a time of the same school."))
        old_when = _local(locked.slot.starts_at)
        _set_state(locked, Appointment.State.CANCELLED, _("Moved: %(reason)s") % {"reason": reason})
        new, _created = _book(
            actor=actor,
            slot=new_slot,
            topic=locked.topic if locked.topic in Topic.values else Topic.OTHER,
            for_kind=locked.for_kind,
            student=locked.student,
            person_name=locked.person_name,
            contact=locked.contact,
            intake=locked.intake,
            own=not actor.has_perm("rooms.book_for_others", new_slot),
        )
        title = _("Appointment moved from %(old)s to %(new)s") % {
            "old": old_when,
            "new": _local(new.slot.starts_at),
        }
        _tell_counselor(locked, actor=actor, title=title, body=SEE_THE_REASON)
        if new.slot.counselor_id != locked.slot.counselor_id:
            _tell_counselor(new, actor=actor, title=title, body=SEE_THE_REASON)
        _tell_person(new, actor=actor, title=title, body=_where(new.slot))
    return new


@service
def appointment_check_in(*, actor: User, appointment: Appointment) -> Appointment:
    """The person has arrived (on the day of the appointment)."""
    locked = _locked(appointment)
    if timezone.localtime(locked.slot.starts_at).date() != timezone.localdate():
        raise ValidationError(_("Check-in is possible on the day of the appointment only."))
    return _set_state(locked, Appointment.State.CHECKED_IN)


@service
def appointment_mark_no_show(
    *, actor: User, appointment: Appointment, reason: str = ""
) -> Appointment:
    """The person did not come (recorded once the appointment has begun)."""
    locked = _locked(appointment)
    if locked.slot.starts_at > timezone.now():
        raise ValidationError(_("The appointment has not begun yet."))
    return _set_state(locked, Appointment.State.NO_SHOW, reason.strip()[:300])


@service
def appointment_complete(*, actor: User, appointment: Appointment) -> Appointment:
    """The conversation took place (the cases issue links it to a case)."""
    locked = _locked(appointment)
    if locked.slot.starts_at > timezone.now():
        raise ValidationError(_("The appointment has not begun yet."))
    return _set_state(locked, Appointment.State.COMPLETED)


# --- who is told -----------------------------------------------------------------------------
def people_to_remind(appointment: Appointment) -> list[User]:
    """The accounts of the person the appointment is for: the student, or a student's
    guardians for a guardian's appointment about their child."""
    student = appointment.student
    if student is None:
        return []
    if appointment.for_kind == Appointment.ForKind.STUDENT:
        return [student.user] if student.user.is_active else []
    if appointment.for_kind == Appointment.ForKind.GUARDIAN:
        return [
            link.guardian.user
            for link in student.guardian_links.select_related("guardian__user")
            if link.guardian.user.is_active
        ]
    return []


def _detail_url(appointment: Appointment) -> str:
    return reverse("rooms:appointment_detail", args=[appointment.pk])


def _tell_counselor(appointment: Appointment, *, actor: User, title: str, body: str = "") -> None:
    counselor = appointment.slot.counselor
    if counselor.pk != actor.pk:
        notify(
            recipients=[counselor],
            title=title,
            body=body,
            url=_detail_url(appointment),
            school_id=appointment.school_id,
        )


def _tell_person(appointment: Appointment, *, actor: User, title: str, body: str = "") -> None:
    recipients = [user for user in people_to_remind(appointment) if user.pk != actor.pk]
    if recipients:
        notify(
            recipients=recipients,
            title=title,
            body=body,
            url=_detail_url(appointment),
            school_id=appointment.school_id,
            level=Notification.Level.ACTION,
        )


# --- reminders -------------------------------------------------------------------------------
def appointment_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind people the day before (within 24 hours) and an hour before their appointment,
    in-app and by e-mail where their account has an address. Each reminder goes out once:
    its flag is claimed by a conditional UPDATE, so two workers never both send it.

    Returns the number of reminders sent.
    """
    now = now or timezone.now()
    hour, day = now + datetime.timedelta(hours=1), now + datetime.timedelta(hours=24)
    booked = Appointment.objects.filter(state=Appointment.State.BOOKED, slot__cancelled=False)
    due = [
        (pk, True)
        for pk in booked.filter(
            reminded_hour_before=False, slot__starts_at__gt=now, slot__starts_at__lte=hour
        ).values_list("pk", flat=True)
    ] + [
        (pk, False)
        for pk in booked.filter(
            reminded_day_before=False, slot__starts_at__gt=hour, slot__starts_at__lte=day
        ).values_list("pk", flat=True)
    ]
    sent = 0
    for pk, within_the_hour in due:
        flag = "reminded_hour_before" if within_the_hour else "reminded_day_before"
        with transaction.atomic():
            # The hour's reminder also stands for the day's one: never two at once.
            claimed = Appointment.objects.filter(pk=pk, **{flag: False}).update(
                **{flag: True, "reminded_day_before": True}
            )
            if not claimed:
                continue
            appointment = Appointment.objects.select_related(
                "slot__room", "slot__counselor", "student__user"
            ).get(pk=pk)
            recipients = people_to_remind(appointment)
            if not recipients:
                continue
            when = _local(appointment.slot.starts_at)
            title = (
                _("Reminder: your appointment begins within the hour (%(time)s)")
                if within_the_hour
                else _("Reminder: your appointment is on %(time)s")
            ) % {"time": when}
            notify(
                recipients=recipients,
                title=title,
                body=_where(appointment.slot)
                + " "
                + _("If you cannot come, cancel it so someone else can have the time."),
                url=_detail_url(appointment),
                school_id=appointment.school_id,
                level=Notification.Level.ACTION,
                email=True,
            )
            sent += 1
    return sent
