"""Beyond the case file: outside services, consent, referrals, typical cases, retention."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.cases.models.case import Case, ProblemCategory, Severity, case_part_q
from xinqiao.core.access import ProtectedModel, school_members_q
from xinqiao.core.fields import EncryptedCharField, EncryptedTextField
from xinqiao.core.roles import Role
from xinqiao.core.tenancy import SchoolScopedModel


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
    giver_name = EncryptedCharField(_("name of the person consenting"), max_length=100)
    given_on = models.DateField(_("date"))
    how = EncryptedCharField(_("how it was given"), max_length=100, blank=True)
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

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Visible when its case is, and its part (referrals) is open to the reader."""
        return case_part_q(user, "referrals")

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
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
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
