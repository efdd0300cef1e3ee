"""The crisis record of an alert in intervention, and the disclosure register (issue 14 item 5).

Seed 000 (应果断报告有关部门采取必要的措施) and seed 001 (只有在征得当事人同意或确因工作需要、个人或社会
面临紧急危险情况下…才有责任向学生法律监护人、学校有关领导或有关职能部门汇报): what the counselor
does once an alert is in intervention is written down part by part, and every time confidential
information leaves the counseling side the register says what, to whom, why, on whose decision
and on which ground.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.core.tenancy import SchoolScopedModel
from xinqiao.crisis.models.alert import Alert


class CrisisRecord(ProtectedModel):
    """What was done for the student of one alert, from the intervention to its closure.

    Its own rule, not its alert's: whoever raised an alert follows its state, but only the
    counseling side of the school reads what was done."""

    school_parent = "alert"
    confidential = True

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="crisis_record")
    with_student = EncryptedTextField(_("who is with the student now"), blank=True)
    return_plan = EncryptedTextField(_("return-to-school plan"), blank=True)
    # The case the intervention opened or joined, in the cases app (crisis imports none of it).
    case_id = models.BigIntegerField(null=True, blank=True)
    case_number = models.CharField(max_length=30, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closure_summary = EncryptedTextField(_("closing summary"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("crisis record")
        verbose_name_plural = _("crisis records")

    @classmethod
    def visibility_q(cls, user) -> Q:
        return Q(alert__school_id__in=user.school_ids_with(*COUNSELING_ROLES))

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SafetyPlan(ProtectedModel):
    """The student's safety plan (安全计划): kept with the crisis record, printable."""

    scope_parent = "record"
    TEXT_FIELDS = (
        "warning_signs",
        "coping_steps",
        "people_places",
        "means_restriction",
        "contacts",
    )

    record = models.OneToOneField(
        CrisisRecord, on_delete=models.CASCADE, related_name="safety_plan"
    )
    warning_signs = EncryptedTextField(_("warning signs"), blank=True)
    coping_steps = EncryptedTextField(_("what I can do to cope"), blank=True)
    people_places = EncryptedTextField(_("people and places that help"), blank=True)
    means_restriction = EncryptedTextField(_("making the surroundings safe"), blank=True)
    contacts = EncryptedTextField(_("whom to call"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")


class GuardianContact(ProtectedModel):
    """A guardian told (when, by whom, what was said); each contact is a disclosure."""

    scope_parent = "record"

    record = models.ForeignKey(
        CrisisRecord, on_delete=models.CASCADE, related_name="guardian_contacts"
    )
    guardian = models.CharField(_("guardian contacted"), max_length=100)
    contacted_at = models.DateTimeField(_("when"))
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    said = EncryptedTextField(_("what was said"))
    disclosure = models.OneToOneField(
        "crisis.Disclosure", on_delete=models.PROTECT, related_name="guardian_contact"
    )

    class Meta:
        verbose_name = _("guardian contact")
        verbose_name_plural = _("guardian contacts")
        ordering = ["contacted_at", "id"]


class FollowUp(ProtectedModel):
    """A follow-up contact due some days after the intervention began (day 1, 3, 7, 30)."""

    scope_parent = "record"

    record = models.ForeignKey(CrisisRecord, on_delete=models.CASCADE, related_name="follow_ups")
    day = models.PositiveSmallIntegerField(_("day"))
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(_("how the student is"), blank=True)

    class Meta:
        verbose_name = _("crisis follow-up")
        verbose_name_plural = _("crisis follow-ups")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "day"], name="crisis_follow_up_once")
        ]


class Disclosure(SchoolScopedModel):
    """One entry of the disclosure register: confidential information that left the
    counseling side. Written by ``crisis.services_intervention.record_disclosure`` only, by
    the services where information leaves (an alert's notice, a guardian contact, a conference
    sharing); never edited."""

    class RecipientKind(models.TextChoices):
        COUNSELING = "counseling", _("director and counselors (alert notice)")
        GUARDIAN = "guardian", _("guardian")
        LEADERSHIP = "leadership", _("principal or school leadership")
        SCHOOL_STAFF = "school_staff", _("school staff")
        HOSPITAL = "hospital", _("hospital or outside service")
        POLICE = "police", _("police")
        CONFERENCE = "conference", _("case conference participant")

    class Ground(models.TextChoices):
        CONSENT = "consent", _("consent")
        SAFETY = "safety", _("safety of the student or others")
        LAW = "law", _("required by law")
        # Seed 000: 只有在专业需要和必须会诊时，才能和其他专业人员讨论来访学生的案例.
        CONSULTATION = "consultation", _("professional need (case conference)")

    student = models.ForeignKey(
        "people.Student",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("student"),
    )
    # The register outlives an alert deleted at the end of its retention period (core/retention.py):
    # the entry keeps what, to whom, why and on which ground.
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="disclosures"
    )
    recipient_kind = models.CharField(
        _("told"), max_length=20, choices=RecipientKind.choices, db_index=True
    )
    recipient = models.CharField(_("to whom"), max_length=300)
    what = EncryptedTextField(_("what was disclosed"))
    why = EncryptedTextField(_("why"))
    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    disclosed_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # What the entry came from (e.g. "cases.Conference", 3): an automatic entry is written once.
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosure register")
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "recipient_kind"],
                condition=~Q(source_type=""),
                name="crisis_disclosure_once_per_source",
            )
        ]

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The register is the director's (the one who answers for the room's secrecy)."""
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR))
