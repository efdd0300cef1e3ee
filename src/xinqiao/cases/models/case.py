"""The case itself (intake to archive), its categories and counselors; who reads it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.cases.models.grant import ALL_PARTS, AccessGrant
from xinqiao.core.access import NOTHING, school_members_q
from xinqiao.core.fields import EncryptedCharField, EncryptedTextField
from xinqiao.core.roles import Role
from xinqiao.core.tenancy import SchoolScopedModel, SchoolScopedQuerySet
from xinqiao.crisis.models import EmergencyAccess


class ProblemCategory(SchoolScopedModel):
    """The nature of a problem (seed 003 需求评估: 问题的性质); each school edits its own list."""

    DEFAULTS = (
        ("learning", _("learning")),
        ("emotion", _("emotion")),
        ("relationships", _("relationships")),
        ("family", _("family")),
        ("adaptation", _("adaptation")),
        ("behaviour", _("behaviour")),
        ("self_harm", _("self-harm risk")),
        ("life", _("life difficulty")),
    )

    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="cases_category_name_once")
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: every member of the school."""
        return school_members_q(user)

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    GENERAL = "general", _("general")
    SERIOUS = "serious", _("serious")
    CRISIS = "crisis", _("crisis")


class CaseQuerySet(SchoolScopedQuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(state__in=Case.OPEN_STATES)

    def awaiting_approval(self) -> CaseQuerySet:
        """Cases waiting for the director: a draft plan to approve or a closure to confirm."""
        return self.filter(Q(plans__state="draft") | Q(state=Case.State.CLOSING)).distinct()


class Case(SchoolScopedModel):
    """One student's case: the intake record, then assessment, plan, records and closure."""

    class Channel(models.TextChoices):
        # The intake channels of seed 003 (主动来访, 教师转介, 家长反馈) and the product's others.
        WALK_IN = "walk_in", _("came by")
        APPOINTMENT = "appointment", _("appointment")
        TEACHER_REFERRAL = "teacher_referral", _("teacher referral")
        GUARDIAN = "guardian", _("guardian's concern")
        LETTER = "letter", _("letter")
        SCREENING = "screening", _("screening result")
        NETWORK_REPORT = "network_report", _("network report")
        DUTY_PHONE = "duty_phone", _("duty phone")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class State(models.TextChoices):
        INTAKE = "intake", pgettext_lazy("case state", "intake")
        ASSESSING = "assessing", _("assessing")
        ACTIVE = "active", _("active")
        CLOSING = "closing", _("closing")
        CLOSED = "closed", pgettext_lazy("case state", "closed")
        ARCHIVED = "archived", _("archived")

    OPEN_STATES = (State.INTAKE, State.ASSESSING, State.ACTIVE, State.CLOSING)
    # Where records may still be written.
    WORKING_STATES = (State.ASSESSING, State.ACTIVE, State.CLOSING)

    student = models.ForeignKey(
        "people.Student", on_delete=models.PROTECT, related_name="cases", verbose_name=_("student")
    )
    number = models.CharField(_("case number"), max_length=30)
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    brought_by = EncryptedCharField(_("brought by"), max_length=100, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_cases",
        verbose_name=_("referred by"),
    )
    problem = EncryptedTextField(_("the problem described"))
    background = EncryptedTextField(_("background"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # What the intake came from (e.g. "rooms.Intake", 12): the thing stays in its own app.
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.INTAKE, db_index=True
    )
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, blank=True)
    categories = models.ManyToManyField(
        ProblemCategory, blank=True, related_name="cases", verbose_name=_("nature of the problem")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    # "What can be answered at once is answered" (seed 003 需求受理 2): a brief contact.
    brief_contact = models.BooleanField(_("brief contact"), default=False)
    closing_summary = EncryptedTextField(_("closing summary"), blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("case", "closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archive_number = models.CharField(_("catalogue number"), max_length=40, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archive_semester = models.ForeignKey(
        "people.Semester", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retention_until = models.DateField(_("kept until"), null=True, blank=True)
    # Idempotency: the form's one-time token; a double submission stores one case.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    TRANSITIONS = {
        State.INTAKE: {State.ASSESSING, State.CLOSED},
        State.ASSESSING: {State.ACTIVE},
        State.ACTIVE: {State.CLOSING},
        State.CLOSING: {State.CLOSED, State.ACTIVE},
        State.CLOSED: {State.ARCHIVED},
        State.ARCHIVED: set(),
    }

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="cases_case_number_once"),
            models.UniqueConstraint(
                fields=["school", "archive_number"],
                condition=~Q(archive_number=""),
                name="cases_archive_number_once",
            ),
        ]
        indexes = [models.Index(fields=["school", "state"]), models.Index(fields=["student"])]

    def __str__(self) -> str:
        return self.number

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The one rule for case material (DESIGN.md principle 1): the director reads every case
        of the school, a counselor the cases assigned to them; nobody else, admins included.

        And, for a few hours, a counselor or the principal who opened the student's file in an
        emergency (break-glass, crisis/models/emergency_access.py, which says why the rule
        lives here rather than in the kernel); and, read only, whoever holds an access grant in
        force that the director approved (cases/models/grant.py).
        """
        return cls.full_readers_q(user) | AccessGrant.case_q(user)

    @classmethod
    def part_q(cls, user, part: str) -> Q:
        """The cases whose ``part`` (a ``CasePart``) ``user`` reads: a grant may be narrowed."""
        return cls.full_readers_q(user) | AccessGrant.case_q(user, part)

    @classmethod
    def full_readers_q(cls, user) -> Q:
        """The cases ``user`` reads whole: the director's, the counselor's, the emergency's."""
        emergency = Q(student_id__in=EmergencyAccess.student_ids_for(user))
        directed = user.school_ids_with(Role.DIRECTOR)
        assigned = CaseCounselor.objects.filter(user_id=user.pk).values("case_id")
        counselor_schools = user.school_ids_with(Role.COUNSELOR)
        if not directed and not counselor_schools:
            return emergency if user.has_role(Role.PRINCIPAL) else NOTHING
        return (
            Q(school_id__in=directed)
            | Q(pk__in=assigned, school_id__in=counselor_schools)
            | emergency
        )

    def read_by(self, user) -> bool:
        """``visibility_q`` for a case already loaded: no query beyond the counselors, once
        (and one for an emergency access or a grant, asked only of those the rest refuses)."""
        return self.read_whole_by(user) or bool(self.grants_of(user))

    def read_whole_by(self, user) -> bool:
        if user.has_role(Role.DIRECTOR, school_id=self.school_id):
            return True
        if (
            user.has_role(Role.COUNSELOR, school_id=self.school_id)
            and user.pk in self.counselor_user_ids
        ):
            return True
        return self.emergency_access_of(user) is not None

    def parts_read_by(self, user) -> frozenset[str]:
        """The parts of the case page ``user`` reads: all of them, or what their grants open."""
        if self.read_whole_by(user):
            return ALL_PARTS
        parts: set[str] = set()
        for grant in self.grants_of(user):
            parts |= grant.granted_parts
        return frozenset(parts)

    def grants_of(self, user) -> list[AccessGrant]:
        """The grants in force by which ``user`` reads this case (asked once per object and
        person: a page asks it for every part, the next request asks again)."""
        held = self.__dict__.setdefault("_grants_of", {})
        if user.pk not in held:
            held[user.pk] = AccessGrant.for_case(user, self) if user.pk else []
        return held[user.pk]

    def emergency_access_of(self, user):
        """The emergency access in force by which ``user`` reads this case, if any."""
        held = self.__dict__.setdefault("_emergency_of", {})
        if user.pk not in held:
            held[user.pk] = EmergencyAccess.in_force_for(user, self.student_id)
        return held[user.pk]

    @cached_property
    def counselor_user_ids(self) -> frozenset[int]:
        """The case's counselors, loaded once per object (from a prefetch when there is one)."""
        return frozenset(assignment.user_id for assignment in self.counselors.all())

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def requires_conference(self) -> bool:
        assessment = getattr(self, "assessment", None)
        return bool(assessment and assessment.requires_conference)

    def can_become(self, state: str) -> bool:
        return state in self.TRANSITIONS[self.state]


def case_part_q(user, part: str, path: str = "case") -> Q:
    """The rows about a case (at ``path``) whose ``part`` ``user`` reads: what a part of the
    case declares as its visibility, so that a narrowed grant leaks through no list."""
    readable = Case.objects.filter(Case.part_q(user, part)).values("pk")
    return Q(**{f"{path}__in": readable})


class CaseCounselor(models.Model):
    """The counselors responsible for a case; the lead writes most of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="counselors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    is_lead = models.BooleanField(_("lead counselor"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("counselor of a case")
        verbose_name_plural = _("counselors of a case")
        ordering = ["-is_lead", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="cases_counselor_once"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_lead=True), name="cases_one_lead_counselor"
            ),
        ]


def open_case_counselor_ids(student_id: int) -> list[int]:
    """The counselors of the student's open cases (whom the student's alerts reach first)."""
    return list(
        CaseCounselor.objects.filter(
            case__student_id=student_id, case__state__in=Case.OPEN_STATES
        ).values_list("user_id", flat=True)
    )


def counseling_pairs():
    """(student_id, user_id) of every counselor of every case (people.care asks)."""
    return CaseCounselor.objects.annotate(student_id=F("case__student_id")).values(
        "student_id", "user_id"
    )
