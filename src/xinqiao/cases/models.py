"""Case work and the care room (seed 003), the one-person-one-file archive (seed 001).

A case follows one student from intake to the archive:
intake → assessing → active → closing → closed → archived (DESIGN.md). Everything a counselor
writes about the student sits in encrypted fields; who may read it is decided by
``Case.visibility_q`` and the predicates of ``cases/rules.py`` alone.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.access import NOTHING, ProtectedModel, school_members_q
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import Role
from xinqiao.core.tenancy import SchoolScopedModel, SchoolScopedQuerySet


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
        INTAKE = "intake", _("intake")
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
    brought_by = models.CharField(_("brought by"), max_length=100, blank=True)
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

        A later issue adds the director's time-limited grants and break-glass access here.
        """
        directed = user.school_ids_with(Role.DIRECTOR)
        assigned = CaseCounselor.objects.filter(user_id=user.pk).values("case_id")
        counselor_schools = user.school_ids_with(Role.COUNSELOR)
        if not directed and not counselor_schools:
            return NOTHING
        return Q(school_id__in=directed) | Q(pk__in=assigned, school_id__in=counselor_schools)

    def read_by(self, user) -> bool:
        """``visibility_q`` for a case already loaded: no query beyond the counselors, once."""
        if user.has_role(Role.DIRECTOR, school_id=self.school_id):
            return True
        return (
            user.has_role(Role.COUNSELOR, school_id=self.school_id)
            and user.pk in self.counselor_user_ids
        )

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


class Assessment(ProtectedModel):
    """Needs assessment (seed 003 需求评估): nature, severity and the measures likely needed."""

    scope_parent = "case"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assessment")
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    measures_needed = EncryptedTextField(_("measures likely needed"))
    notes = EncryptedTextField(_("assessment notes"), blank=True)
    # Serious or several-sided problems go to a case conference (seed 003 需求评估 2).
    requires_conference = models.BooleanField(_("needs a case conference"), default=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)


class Conference(ProtectedModel):
    """A case conference (集体研讨, seed 003): who came, what was decided, what is shared."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("when"))
    place = models.CharField(_("place"), max_length=100)
    agenda = EncryptedTextField(_("agenda"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.PLANNED)
    held_at = models.DateTimeField(null=True, blank=True)
    decisions = EncryptedTextField(_("decisions"), blank=True)
    # The only part of the case that participants outside the counseling staff read.
    shared_summary = EncryptedTextField(_("what is shared with the other participants"), blank=True)

    class Meta:
        ordering = ["-scheduled_at"]

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Those who read the case, and the conference's participants (who read only its
        shared part: ``cases.view_conference_share``)."""
        return Q(case__in=Case.objects.for_user(user).values("pk")) | Q(
            pk__in=ConferenceParticipant.objects.filter(user_id=user.pk).values("conference_id")
        )


class ConferenceParticipant(models.Model):
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conference_seats"
    )
    role_label = models.CharField(_("as"), max_length=50, blank=True)
    is_counseling_staff = models.BooleanField(default=False)
    attended = models.BooleanField(_("attended"), null=True)

    class Meta:
        ordering = ["-is_counseling_staff", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "user"], name="cases_participant_once")
        ]


class SupportPlan(ProtectedModel):
    """An individual support plan (帮扶方案); every adjustment is a new version, all kept."""

    scope_parent = "case"

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        SUPERSEDED = "superseded", _("superseded")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    goals = EncryptedTextField(_("goals"))
    change_reason = EncryptedTextField(_("why it was adjusted"), blank=True)
    review_every_weeks = models.PositiveSmallIntegerField(_("review every (weeks)"), default=4)
    next_review_on = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    # The day the counselors were last reminded of a due review (reminded once per due date).
    review_reminded_for = models.DateField(null=True, blank=True)
    conference = models.ForeignKey(
        Conference, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="cases_plan_version_once"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="approved"), name="cases_one_approved_plan"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="draft"), name="cases_one_draft_plan"
            ),
        ]


class PlanMeasure(ProtectedModel):
    """One measure of a plan with its responsible person and dates (seed 003 帮扶措施, 帮扶实施)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual counseling")
        GROUP = "group", _("group counseling")
        TUTORING = "tutoring", _("academic tutoring")
        LIFE_ASSISTANCE = "life_assistance", _("life assistance")
        FINANCIAL_AID = "financial_aid", _("financial aid application")
        HOME_VISIT = "home_visit", _("home visit")
        GUARDIAN_MEETING = "guardian_meeting", _("guardian meeting")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ONGOING = "ongoing", _("ongoing")
        DONE = "done", _("done")
        STOPPED = "stopped", _("stopped")

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=30, choices=Kind.choices)
    description = EncryptedTextField(_("what is done"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_measures",
        verbose_name=_("responsible"),
    )
    # A volunteer student or someone without an account (seed 003 学业指导: 志愿者).
    responsible_name = models.CharField(_("responsible (name)"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Those who read the case, and the person responsible for the measure (who learns
        what to do and for whom, never why)."""
        return Q(plan__case__in=Case.objects.for_user(user).values("pk")) | Q(
            responsible_id=user.pk
        )

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="cases_measure_dates",
            ),
            models.CheckConstraint(
                condition=Q(responsible__isnull=False) | ~Q(responsible_name=""),
                name="cases_measure_has_someone",
            ),
        ]

    @property
    def responsible_label(self) -> str:
        if self.responsible_id:
            return self.responsible.display_name
        return self.responsible_name


class MeasureActivity(ProtectedModel):
    """A tutoring session, a delivery of material help, a visit: one logged step of a measure."""

    scope_parent = "measure"

    measure = models.ForeignKey(PlanMeasure, on_delete=models.CASCADE, related_name="activities")
    on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    note = EncryptedTextField(_("note"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]


class SessionRecord(ProtectedModel):
    """A session or contact (seed 003 工作记录: 时间、地点、学生、问题、措施、效果)."""

    scope_parent = "case"

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual session")
        GROUP = "group", _("group session")
        PHONE = "phone", _("phone contact")
        HOME_VISIT = "home_visit", _("home visit")
        GUARDIAN = "guardian", _("guardian meeting")
        TEACHER = "teacher", _("talk with a teacher")
        OTHER = "other", _("other contact")

    #: Kinds that are counseling, which needs the student's agreement (seed 004: 知情自愿).
    COUNSELING_KINDS = frozenset({Kind.INDIVIDUAL, Kind.GROUP})

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    held_at = models.DateTimeField(_("when"), db_index=True)
    place = models.CharField(_("place"), max_length=100)
    participants = models.CharField(_("participants"), max_length=200, blank=True)
    problem = EncryptedTextField(_("problem"))
    measures_taken = EncryptedTextField(_("measures taken"))
    effect = EncryptedTextField(_("effect"), blank=True)
    next_step = EncryptedTextField(_("next step"), blank=True)
    appointment = models.ForeignKey(
        "rooms.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-held_at", "-id"]


class StageSummary(ProtectedModel):
    """A stage summary (阶段性总结) written at a plan review."""

    scope_parent = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summaries")
    plan = models.ForeignKey(
        SupportPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="summaries"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    summary = EncryptedTextField(_("summary"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="cases_summary_dates"
            )
        ]


RATING_RANGE = (1, 10)


class Evaluation(ProtectedModel):
    """Effect evaluation (seed 003 效果评估): self, teacher, guardian and a questionnaire."""

    scope_parent = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    evaluated_on = models.DateField(_("date"))
    student_rating = models.PositiveSmallIntegerField(_("student's self-rating"))
    teacher_rating = models.PositiveSmallIntegerField(
        _("class teacher's rating"), null=True, blank=True
    )
    guardian_rating = models.PositiveSmallIntegerField(
        _("guardian's rating"), null=True, blank=True
    )
    guardian_feedback = EncryptedTextField(_("guardian's feedback"), blank=True)
    questionnaire = models.CharField(_("questionnaire"), max_length=100, blank=True)
    questionnaire_score = models.DecimalField(
        _("questionnaire score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["evaluated_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(student_rating__gte=1, student_rating__lte=10)
                & (
                    Q(teacher_rating__isnull=True)
                    | Q(teacher_rating__gte=1, teacher_rating__lte=10)
                )
                & (
                    Q(guardian_rating__isnull=True)
                    | Q(guardian_rating__gte=1, guardian_rating__lte=10)
                ),
                name="cases_evaluation_ratings",
            )
        ]


class OutsideService(SchoolScopedModel):
    """The school's directory of hospitals, clinics and community services for referrals."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("hospital")
        CLINIC = "clinic", _("clinic")
        COMMUNITY = "community", _("community service")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    handles = models.TextField(_("what they handle"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("outside service")
        verbose_name_plural = _("outside services")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="cases_service_name_once")
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: every member of the school."""
        return school_members_q(user)

    def __str__(self) -> str:
        return self.name


class Consent(SchoolScopedModel):
    """Recorded consent (seed 000: consent before a case is used; guardian consent for minors)."""

    class Purpose(models.TextChoices):
        COUNSELING = "counseling", _("counseling of a minor")
        REFERRAL = "referral", _("referral")
        TEACHING = "teaching", _("use in teaching")
        RESEARCH = "research", _("use in research")

    class GivenBy(models.TextChoices):
        GUARDIAN = "guardian", _("guardian")
        STUDENT = "student", _("student")

    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="consents")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(
        pgettext_lazy("consent", "for"), max_length=20, choices=Purpose.choices
    )
    given_by = models.CharField(_("given by"), max_length=20, choices=GivenBy.choices)
    giver_name = models.CharField(_("name of the person consenting"), max_length=100)
    given_on = models.DateField(_("date"))
    how = models.CharField(_("how it was given"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side of the school (a consent names the student and its purpose)."""
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR, Role.COUNSELOR))

    @property
    def in_force(self) -> bool:
        return self.withdrawn_on is None


class Referral(ProtectedModel):
    """A referral (转介, seed 000) inside the school or to an outside service, with follow-up."""

    scope_parent = "case"

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("to another counselor of the school")
        EXTERNAL = "external", _("to an outside service")

    class State(models.TextChoices):
        OPEN = "open", _("waiting for the outcome")
        DONE = "done", _("outcome recorded")
        CANCELLED = "cancelled", _("cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    to_counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counselor"),
    )
    to_service = models.ForeignKey(
        OutsideService,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("service"),
    )
    reason = EncryptedTextField(_("reason for the referral"))
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_at = models.DateTimeField(default=timezone.now)
    follow_up_due = models.DateField(_("follow up by"), db_index=True)
    follow_up_reminded = models.BooleanField(default=False)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)

    class Meta:
        ordering = ["-referred_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="internal") & Q(to_counselor__isnull=False))
                | (Q(kind="external") & Q(to_service__isnull=False) & Q(consent__isnull=False)),
                name="cases_referral_target",
            )
        ]


class TypicalCase(SchoolScopedModel):
    """A closed case kept as a teaching example (seed 001 典型案例), de-identified, with consent."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="typical")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    category = models.ForeignKey(
        ProblemCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("de-identified account"))
    published = models.BooleanField(_("published"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-marked_at"]
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Published, de-identified examples for the school's counseling side and leadership;
        drafts for those who read the case."""
        readers = (Role.DIRECTOR, Role.COUNSELOR, Role.PRINCIPAL, Role.VICE_PRINCIPAL)
        return Q(published=True, school_id__in=user.school_ids_with(*readers)) | Q(
            case__in=Case.objects.for_user(user).values("pk")
        )


# Retention per record type (years after archiving); the catalogue shows the date.
RETENTION_YEARS = {
    "brief_contact": 3,
    Severity.GENERAL: 10,
    Severity.SERIOUS: 15,
    Severity.CRISIS: 30,
}


def retention_until(case: Case, archived_on: datetime.date) -> datetime.date:
    years = RETENTION_YEARS["brief_contact" if case.brief_contact else (case.severity or "general")]
    try:
        return archived_on.replace(year=archived_on.year + years)
    except ValueError:  # 29 February
        return archived_on.replace(year=archived_on.year + years, day=28)
