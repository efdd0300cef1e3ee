"""Screening campaigns, who takes part, their answers and scores, and the follow-up interviews.

Seeds 001/004: individual results are confidential, tests are used by the profession's rules
and with informed consent. So the rows split along who may see them:

- ``Campaign``: what is asked, of whom, when and why: any staff of the school; students and
  guardians concerned (the guardian's notice).
- ``Participation``: one person's place in a campaign (or a scale a counselor gives during a
  case) and its state only (invited, started, submitted, opted out): the class teacher sees
  completion of their class, never answers.
- ``Response``: the answers (encrypted) and the scores of one scale: the counseling side and
  the respondent only (what a respondent is shown is the campaign's choice).
- ``FollowUp``: whom to interview and what the interview concluded; a class teacher may see
  whom to send (when the campaign allows it), never why.

Results are flags for an interview, never diagnoses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES, Role
from xinqiao.core.tenancy import SchoolScopedModel
from xinqiao.people.models import GuardianLink

STAFF_OF_SCHOOL = frozenset(
    {
        *COUNSELING_ROLES,
        *LEADERSHIP_ROLES,
        Role.DUTY,
        Role.CLASS_TEACHER,
        Role.GRADE_LEADER,
        Role.STUDENT_AFFAIRS,
        Role.SUPERVISOR,
    }
)


def _own_or_child_q(user, prefix: str = "") -> Q:
    """Rows about the user (a student or a teacher) or about a guardian's child."""
    children = GuardianLink.objects.filter(guardian__user_id=user.pk).values("student_id")
    return (
        Q(**{f"{prefix}student__user_id": user.pk})
        | Q(**{f"{prefix}teacher__user_id": user.pk})
        | Q(**{f"{prefix}student_id__in": children})
    )


class Campaign(SchoolScopedModel):
    """A screening the director opens for grades, classes or the teachers, in one window."""

    class Audience(models.TextChoices):
        STUDENTS = "students", _("students")
        TEACHERS = "teachers", _("teachers")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    title = models.CharField(_("title"), max_length=100)
    purpose = models.TextField(
        _("what and why"),
        max_length=2000,
        help_text=_("Told to guardians and respondents beforehand: what is asked and why."),
    )
    audience = models.CharField(
        _("who takes it"), max_length=10, choices=Audience.choices, default=Audience.STUDENTS
    )
    grades = models.ManyToManyField("people.Grade", blank=True, verbose_name=_("grades"))
    classes = models.ManyToManyField("people.SchoolClass", blank=True, verbose_name=_("classes"))
    # The scales, in order, as "<id>@<version>": a result records the version that scored it.
    scales = models.JSONField(_("scales"), default=list)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    class_teachers_see_follow_ups = models.BooleanField(
        _("class teachers see whom to send for an interview"), default=True
    )
    respondents_see_scores = models.BooleanField(
        _("respondents see their own scores"), default=False
    )
    supportive_message = models.TextField(
        _("supportive message shown after submitting"), max_length=1000, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    announced_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("screening campaign")
        verbose_name_plural = _("screening campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="screening_window_forward"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Staff of the school; a respondent or a guardian of one, for their own campaigns."""
        mine = Participation.objects.filter(_own_or_child_q(user)).values("campaign_id")
        return Q(school_id__in=user.school_ids_with(*STAFF_OF_SCHOOL)) | Q(pk__in=mine)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.state == self.State.ANNOUNCED and self.opens_at <= at < self.closes_at

    @property
    def scale_keys(self) -> list[tuple[str, str]]:
        return [tuple(key.split("@", 1)) for key in self.scales]


class ClassCode(ProtectedModel):
    """The class access code for shared computers: only in the window, only for that class,
    once per student (a student who has submitted cannot start again with it)."""

    scope_parent = "campaign"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="class_codes")
    school_class = models.ForeignKey("people.SchoolClass", on_delete=models.CASCADE)
    code = models.CharField(max_length=12, unique=True)

    class Meta:
        verbose_name = _("class code")
        verbose_name_plural = _("class codes")
        ordering = ["school_class__grade__level", "school_class__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school_class"], name="screening_one_code_per_class"
            )
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side, and a class teacher for their own class (who hands it out)."""
        from xinqiao.people.selectors import taught_class_ids

        return Q(campaign__school_id__in=user.school_ids_with(*COUNSELING_ROLES)) | Q(
            school_class_id__in=taught_class_ids(user)
        )


class Participation(SchoolScopedModel):
    """One person in a campaign, or one scale given during a case: its state only."""

    class State(models.TextChoices):
        INVITED = "invited", _("not started")
        STARTED = "started", _("in progress")
        SUBMITTED = "submitted", _("submitted")
        OPTED_OUT = "opted_out", _("opted out by guardian")

    class Via(models.TextChoices):
        ACCOUNT = "account", _("own account")
        CLASS_CODE = "class_code", _("class access code")
        COUNSELOR = "counselor", _("on the counselor's screen")

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="participations"
    )
    # A scale a counselor gives during a case (seed 003 效果评估: 问卷调查).
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="screening_participations",
    )
    case_scale = models.CharField(max_length=60, blank=True)  # "<id>@<version>"
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    student = models.ForeignKey(
        "people.Student", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    teacher = models.ForeignKey(
        "people.Staff", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The class when the campaign was announced: completion per class stays true to the day.
    school_class = models.ForeignKey(
        "people.SchoolClass", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.INVITED)
    via = models.CharField(max_length=10, choices=Via.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opted_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("screening participation")
        verbose_name_plural = _("screening participations")
        ordering = ["school_class_id", "student__student_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "student"],
                condition=Q(campaign__isnull=False, student__isnull=False),
                name="screening_student_once_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["campaign", "teacher"],
                condition=Q(campaign__isnull=False, teacher__isnull=False),
                name="screening_teacher_once_per_campaign",
            ),
            models.CheckConstraint(
                condition=Q(student__isnull=True, teacher__isnull=False)
                | Q(student__isnull=False, teacher__isnull=True),
                name="screening_student_or_teacher",
            ),
            models.CheckConstraint(
                condition=Q(campaign__isnull=True, case__isnull=False)
                | Q(campaign__isnull=False, case__isnull=True),
                name="screening_campaign_or_case",
            ),
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side; the respondent and a guardian; the class teacher of a student
        in a campaign (completion of their class: never anything of a case)."""
        from xinqiao.people.selectors import taught_class_ids

        return (
            Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES))
            | _own_or_child_q(user)
            | Q(campaign__isnull=False, school_class_id__in=taught_class_ids(user))
        )

    @property
    def scale_keys(self) -> list[tuple[str, str]]:
        if self.campaign_id is not None:
            return self.campaign.scale_keys
        return [tuple(self.case_scale.split("@", 1))]

    @property
    def respondent_user_id(self) -> int | None:
        person = self.student if self.student_id else self.teacher
        return person.user_id


class Response(ProtectedModel):
    """The answers to one scale and, once submitted, its scores: the counseling side and the
    respondent only. Answers are saved as they go (``seq`` orders the browser's saves)."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="responses"
    )
    scale_id = models.CharField(max_length=40)
    scale_version = models.CharField(max_length=20)
    answers = EncryptedTextField(default="{}")  # JSON: item id -> answer value
    seq = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(default=timezone.now)
    # Scores, written once on submit by the definition version above.
    scored_at = models.DateTimeField(null=True, blank=True)
    valid = models.BooleanField(null=True)
    total = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    total_scaled = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    follow_up = models.BooleanField(default=False)  # the band or a critical answer asks for it
    critical_level = models.CharField(max_length=20, blank=True)
    subscales = models.JSONField(default=dict, blank=True)  # id -> {value, band, valid}

    confidential = True

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        ordering = ["participation_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "scale_id"], name="screening_one_response_per_scale"
            )
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        return (
            Q(participation__school_id__in=user.school_ids_with(*COUNSELING_ROLES))
            | Q(participation__student__user_id=user.pk)
            | Q(participation__teacher__user_id=user.pk)
        )


class FollowUp(SchoolScopedModel):
    """A flagged participation: whom to interview, who does it, and what it concluded."""

    class Conclusion(models.TextChoices):
        PENDING = "pending", _("to be interviewed")
        CONFIRMED = "confirmed", _("concern confirmed")
        NO_CONCERN = "no_concern", _("no concern")

    participation = models.OneToOneField(
        Participation, on_delete=models.CASCADE, related_name="follow_up"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=12, choices=Conclusion.choices, default=Conclusion.PENDING
    )
    interviewed_on = models.DateField(_("interviewed on"), null=True, blank=True)
    notes = EncryptedTextField(_("interview notes"), blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    confidential = True

    class Meta:
        verbose_name = _("screening follow-up")
        verbose_name_plural = _("screening follow-ups")
        ordering = ["conclusion", "created_at", "pk"]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side; a class teacher sees whom to send, when the campaign says so."""
        from xinqiao.people.selectors import taught_class_ids

        return Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES)) | Q(
            participation__campaign__class_teachers_see_follow_ups=True,
            participation__school_class_id__in=taught_class_ids(user),
        )
