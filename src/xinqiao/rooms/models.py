"""Counseling and care rooms: opening hours, the duty roster, leave, the duty log, phone and
walk-in intake, and appointments (seeds 000, 001, 003; criterion 14 of 004)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.access import ProtectedModel, school_members_q
from xinqiao.core.fields import EncryptedCharField, EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.core.tenancy import SchoolScopedModel
from xinqiao.people.models import GuardianLink

# People who hold duty shifts (seed 000's duty staff, counselors and the room's head).
DUTY_HOLDER_ROLES = frozenset({Role.DUTY, Role.COUNSELOR, Role.DIRECTOR})
# Who keeps the school's appointment book (registration at the door, check-in).
APPOINTMENT_BOOK_ROLES = DUTY_HOLDER_ROLES

# Criterion 14 of the standard (004): the room is open to students at least 10 hours a week.
MIN_WEEKLY_OPEN_HOURS = 10


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Room(SchoolScopedModel):
    class Kind(models.TextChoices):
        COUNSELING = "counseling", _("counseling room")
        CARE = "care", _("care room")
        GROUP = "group", _("group counseling room")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    spaces = models.TextField(
        _("functional spaces"), blank=True, help_text=_("e.g. reception, individual room")
    )
    equipment = models.TextField(_("equipment"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["school", "kind", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="rooms_room_name_once")
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: every member of the school, and the system administrator (who
        sets the rooms of every school up but has no school of their own)."""
        if user.has_role(Role.ADMIN):
            return Q()
        return school_members_q(user)

    def __str__(self) -> str:
        return self.name


class OpeningPeriod(models.Model):
    """A weekly opening period of a room in a semester (e.g. Monday 12:30–13:30)."""

    # Rules resolve the school of a period through its room (core/rules.py).
    school_parent = "room"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="opening_periods")
    semester = models.ForeignKey(
        "people.Semester", on_delete=models.CASCADE, related_name="opening_periods"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name = _("opening period")
        verbose_name_plural = _("opening periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="rooms_period_positive"
            ),
            models.UniqueConstraint(
                fields=["room", "semester", "weekday", "starts_at"], name="rooms_period_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def hours(self) -> float:
        start = datetime.datetime.combine(datetime.date.min, self.starts_at)
        end = datetime.datetime.combine(datetime.date.min, self.ends_at)
        return (end - start).total_seconds() / 3600


class DutyPattern(models.Model):
    """Who is on duty in an opening period, every week of the semester (the plan)."""

    period = models.ForeignKey(OpeningPeriod, on_delete=models.CASCADE, related_name="patterns")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("weekly duty pattern")
        verbose_name_plural = _("weekly duty patterns")
        constraints = [
            models.UniqueConstraint(fields=["period", "user"], name="rooms_pattern_once")
        ]


class DutyShift(SchoolScopedModel):
    """One concrete duty: a room, a date, a time, the person on duty (empty: a gap).

    Shifts are generated from the patterns when the director publishes the roster; exceptions
    (a swap, a substitute after approved leave) change the shift itself. A person cannot hold
    two shifts starting at the same time (enforced by the database).
    """

    class Origin(models.TextChoices):
        PATTERN = "pattern", _("weekly pattern")
        EXCEPTION = "exception", _("changed by the director")
        SUBSTITUTE = "substitute", _("substitute after leave")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="shifts")
    semester = models.ForeignKey("people.Semester", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(
        OpeningPeriod, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    date = models.DateField(_("date"), db_index=True)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_shifts",
        verbose_name=_("on duty"),
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.PATTERN)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["date", "starts_at", "room"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "date", "starts_at"], name="rooms_shift_once_per_room"
            ),
            models.UniqueConstraint(
                fields=["user", "date", "starts_at"],
                condition=Q(user__isnull=False),
                name="rooms_no_double_duty",
            ),
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director sees the school's whole roster (drafts too); those who hold shifts
        see the published roster of their schools."""
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR)) | Q(
            school_id__in=user.school_ids_with(*DUTY_HOLDER_ROLES), published=True
        )

    def __str__(self) -> str:
        return f"{self.room} {self.date} {self.starts_at:%H:%M}"

    @property
    def starts(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.starts_at))


class LeaveRequest(ProtectedModel):
    """Leave from one shift: it takes effect only when the director approves (seed 000)."""

    # Rules resolve the school of a request through its shift (core/rules.py).
    school_parent = "shift"

    class State(models.TextChoices):
        REQUESTED = "requested", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="leave_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedCharField(_("reason"), max_length=500)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        constraints = [
            # One open request per shift and person: a double submission cannot create two.
            models.UniqueConstraint(
                fields=["shift", "requester"],
                condition=Q(state="requested"),
                name="rooms_one_open_leave_request",
            )
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director sees the school's requests; anyone else their own."""
        return Q(shift__school_id__in=user.school_ids_with(Role.DIRECTOR)) | Q(requester_id=user.pk)


class DutyLog(ProtectedModel):
    """The duty record (值班记录) of one shift, written by the person on duty."""

    school_parent = "shift"

    shift = models.OneToOneField(DutyShift, on_delete=models.CASCADE, related_name="log")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    arrived_at = models.TimeField(_("arrived at"))
    calls_received = models.PositiveSmallIntegerField(_("calls received"), default=0)
    visitors = models.PositiveSmallIntegerField(_("visitors"), default=0)
    appointments_registered = models.PositiveSmallIntegerField(
        _("appointments registered"), default=0
    )
    unusual = EncryptedTextField(_("anything unusual"), blank=True)
    handover = EncryptedTextField(_("hand-over notes"), blank=True)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("duty log")
        verbose_name_plural = _("duty logs")

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director and the supervision group see the school's logs; the writer their own."""
        return Q(shift__school_id__in=user.school_ids_with(Role.DIRECTOR, Role.SUPERVISOR)) | Q(
            written_by_id=user.pk
        )

    @property
    def late_minutes(self) -> int:
        start = datetime.datetime.combine(self.shift.date, self.shift.starts_at)
        arrived = datetime.datetime.combine(self.shift.date, self.arrived_at)
        return max(0, int((arrived - start).total_seconds() // 60))


class Intake(SchoolScopedModel):
    """A call or visit recorded quickly by the duty person (who, contact, concern, urgency)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone call")
        WALK_IN = "walk_in", _("walk-in")

    class CallerKind(models.TextChoices):
        STUDENT = "student", _("student")
        GUARDIAN = "guardian", _("guardian")
        TEACHER = "teacher", _("teacher")
        ANONYMOUS = "anonymous", _("anonymous")
        OTHER = "other", _("other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class Outcome(models.TextChoices):
        OPEN = "open", _("to be handled")
        APPOINTMENT = "appointment", _("appointment booked")
        ALERT = "alert", _("alert raised")
        ANSWERED = "answered", _("answered at once")

    shift = models.ForeignKey(
        DutyShift, null=True, blank=True, on_delete=models.SET_NULL, related_name="intakes"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    caller_kind = models.CharField(_("who"), max_length=20, choices=CallerKind.choices)
    caller_name = EncryptedCharField(_("name"), max_length=100, blank=True)
    contact = EncryptedCharField(_("contact"), max_length=100, blank=True)
    student = models.ForeignKey(
        "people.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concern = EncryptedTextField(_("concern in a few words"))
    urgency = models.CharField(
        _("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    # Idempotency: the form's one-time token; a double submission stores one intake.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")

    # A call or a visit is case material: refusals are written to the access log.
    confidential = True

    @property
    def caller_line(self) -> str:
        """Who called, for lists and the booking page: the kind, the name given, and the
        student concerned when that is someone else (a student who came for themself is named
        once, not "student · 姜天睿 · 姜天睿")."""
        parts = [self.get_caller_kind_display(), self.caller_name]
        if self.student_id is not None and self.student.name != self.caller_name:
            parts.append(self.student.name)
        return " · ".join(str(part) for part in parts if part)

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side sees the school's intakes; the duty person who recorded one
        sees it (in a school where they still hold a role); nobody else."""
        return Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES)) | Q(
            received_by_id=user.pk, school_id__in=user.school_ids
        )


class AppointmentSlot(SchoolScopedModel):
    """A time a counselor offers in a room. Two slots of one counselor, or of one room, never
    start at the same moment (database constraints); group slots take several bookings."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="slots")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointment_slots"
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"), default=1)
    is_group = models.BooleanField(_("group session"), default=False)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        constraints = [
            models.UniqueConstraint(
                fields=["counselor", "starts_at"],
                condition=Q(cancelled=False),
                name="rooms_slot_counselor_once",
            ),
            models.UniqueConstraint(
                fields=["room", "starts_at"],
                condition=Q(cancelled=False),
                name="rooms_slot_room_once",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="rooms_slot_positive"
            ),
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: every member of the school."""
        return school_members_q(user)

    def __str__(self) -> str:
        return f"{self.counselor} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Appointment(SchoolScopedModel):
    """A booking of a slot for a student, a guardian or a teacher."""

    class State(models.TextChoices):
        BOOKED = "booked", _("booked")
        CHECKED_IN = "checked_in", _("checked in")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")
        NO_SHOW = "no_show", _("did not come")

    ACTIVE_STATES = ("booked", "checked_in", "completed")

    class ForKind(models.TextChoices):
        STUDENT = "student", _("student")
        GUARDIAN = "guardian", _("guardian")
        TEACHER = "teacher", _("teacher")

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    # For one-place slots, the slot itself; NULL for group slots. Unique while active, so two
    # bookings of one slot cannot both succeed, however close together they arrive.
    exclusive_slot = models.ForeignKey(
        AppointmentSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    for_kind = models.CharField(_("for"), max_length=20, choices=ForKind.choices)
    student = models.ForeignKey(
        "people.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = EncryptedCharField(pgettext_lazy("person", "name"), max_length=100, blank=True)
    contact = EncryptedCharField(_("contact"), max_length=100, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(default=timezone.now)
    intake = models.ForeignKey(
        Intake, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.BOOKED)
    state_reason = EncryptedCharField(_("reason"), max_length=300, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    reminded_day_before = models.BooleanField(default=False)
    reminded_hour_before = models.BooleanField(default=False)

    class Meta:
        ordering = ["slot__starts_at"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["exclusive_slot"],
                condition=Q(state__in=["booked", "checked_in", "completed"]),
                name="rooms_one_booking_per_slot",
            ),
            models.UniqueConstraint(
                fields=["slot", "student"],
                condition=Q(state__in=["booked", "checked_in", "completed"]),
                name="rooms_student_once_per_slot",
            ),
        ]

    # That a student sought counseling is itself confidential: refusals are logged.
    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The appointment book of the school for the counseling side and the duty staff; for
        everyone else the bookings made for them (as the student or a guardian) or by them."""
        children = GuardianLink.objects.filter(guardian__user_id=user.pk).values("student_id")
        return (
            Q(school_id__in=user.school_ids_with(*APPOINTMENT_BOOK_ROLES))
            | Q(student__user_id=user.pk, for_kind=cls.ForKind.STUDENT)
            | Q(for_kind=cls.ForKind.GUARDIAN, student_id__in=children)
            | Q(booked_by_id=user.pk)
        )

    def __str__(self) -> str:
        # Never the name: the change history copies this text in the clear.
        return f"{self.slot} · {self.get_for_kind_display()}"
