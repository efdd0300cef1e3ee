"""The work on a case (seed 003): assessment, conference, plan and measures, records,
summaries and evaluations. Each is visible exactly as its case is, or to the participant
or responsible person it names."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.cases.models.case import Case, Severity, case_part_q
from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedCharField, EncryptedTextField
from xinqiao.core.roles import Role


class Assessment(ProtectedModel):
    """Needs assessment (seed 003 需求评估): nature, severity and the measures likely needed."""

    scope_parent = "case"

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Visible when its case is, and its part (assessment) is open to the reader."""
        return case_part_q(user, "assessment")

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
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-scheduled_at"]

    school_parent = "case"
    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Those who read the case, and the conference's participants (who read only its
        shared part: ``cases.view_conference_share``)."""
        return case_part_q(user, "conferences") | Q(
            pk__in=ConferenceParticipant.objects.filter(user_id=user.pk).values("conference_id")
        )


class ConferenceParticipant(models.Model):
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conference_seats"
    )
    #: Who convened it; every other seat is the person's role at the school.
    CONVENER = "convener"
    ROLE_CHOICES = [(CONVENER, _("convener")), *Role.choices]

    # A code, said in the reader's language (issue 12 item 26).
    role = models.CharField(_("as"), max_length=30, choices=ROLE_CHOICES, blank=True)
    is_counseling_staff = models.BooleanField(default=False)
    attended = models.BooleanField(_("attended"), null=True)

    class Meta:
        verbose_name = _("case conference participant")
        verbose_name_plural = _("case conference participants")
        ordering = ["-is_counseling_staff", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "user"], name="cases_participant_once")
        ]


class SupportPlan(ProtectedModel):
    """An individual support plan (帮扶方案); every adjustment is a new version, all kept."""

    scope_parent = "case"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Visible when its case is, and its part (plan) is open to the reader."""
        return case_part_q(user, "plan")

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
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
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
        NOT_DONE = "not_done", _("not done")
        STOPPED = "stopped", _("stopped")

    #: Not ended yet: when the case closes, each gets how it really ended (issue 12 item 21).
    OPEN_STATUSES = frozenset({Status.PLANNED, Status.ONGOING})
    END_STATUSES = (Status.DONE, Status.NOT_DONE, Status.STOPPED)
    #: Endings that say why (seed 003 结案: the file states what happened).
    NEEDS_REASON = frozenset({Status.NOT_DONE, Status.STOPPED})

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
    responsible_name = EncryptedCharField(_("responsible (name)"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    end_note = EncryptedTextField(_("why it was not done or stopped"), blank=True)

    school_parent = "plan"
    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Those who read the case, and the person responsible for the measure (who learns
        what to do and for whom, never why)."""
        return case_part_q(user, "plan", "plan__case") | Q(responsible_id=user.pk)

    class Meta:
        verbose_name = _("support measure")
        verbose_name_plural = _("support measures")
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
        verbose_name = _("support measure activity")
        verbose_name_plural = _("support measure activities")
        ordering = ["-on", "-id"]


class SessionRecord(ProtectedModel):
    """A session or contact (seed 003 工作记录: 时间、地点、学生、问题、措施、效果)."""

    scope_parent = "case"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Visible when its case is, and its part (records) is open to the reader."""
        return case_part_q(user, "records")

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
    place = EncryptedCharField(_("place"), max_length=100)
    participants = EncryptedCharField(_("participants"), max_length=200, blank=True)
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
        verbose_name = _("session record")
        verbose_name_plural = _("session records")
        ordering = ["-held_at", "-id"]


class StageSummary(ProtectedModel):
    """A stage summary (阶段性总结) written at a plan review."""

    scope_parent = "case"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Visible when its case is, and its part (records) is open to the reader."""
        return case_part_q(user, "records")

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
        verbose_name = _("stage summary")
        verbose_name_plural = _("stage summaries")
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

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Visible when its case is, and its part (evaluations) is open to the reader."""
        return case_part_q(user, "evaluations")

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
    questionnaire = EncryptedCharField(_("questionnaire"), max_length=100, blank=True)
    questionnaire_score = models.DecimalField(
        _("questionnaire score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("effect evaluation")
        verbose_name_plural = _("effect evaluations")
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
