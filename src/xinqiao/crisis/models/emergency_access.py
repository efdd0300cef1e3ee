"""Emergency access ("break-glass", issue 14 item 6; DESIGN.md principle 1).

Why here and not in core: the access it opens is to case material, whose rule is the Case
model's own declaration (``Case.visibility_q`` / ``Case.read_by``) and the student file's
predicate, both in the cases app. cases sits above crisis and asks ``in_force_for`` directly,
so the access kernel (core/access.py) needs no registry and no change: every getter, list and
export that goes through ``Case.objects.for_user`` follows the rule at once, and when the
access expires every one of them refuses again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import Role
from xinqiao.core.tenancy import SchoolScopedModel, SchoolScopedQuerySet


class EmergencyAccessQuerySet(SchoolScopedQuerySet):
    def in_force(self) -> EmergencyAccessQuerySet:
        return self.filter(expires_at__gt=timezone.now())

    def awaiting_review(self) -> EmergencyAccessQuerySet:
        return self.filter(reviewed_at__isnull=True)


class EmergencyAccess(SchoolScopedModel):
    """A counselor or the principal opened a student's file at once, with a written reason,
    because the student's safety was at stake and no director answered. It lasts
    ``settings.EMERGENCY_ACCESS_HOURS``; the director reviews every one."""

    class Outcome(models.TextChoices):
        JUSTIFIED = "justified", _("justified")
        NOT_JUSTIFIED = "not_justified", _("not justified")

    student = models.ForeignKey(
        "people.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("student")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    reason = EncryptedTextField(_("why the file must be opened now"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    outcome = models.CharField(_("review"), max_length=20, choices=Outcome.choices, blank=True)
    review_note = EncryptedTextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["user", "student", "expires_at"])]

    confidential = True

    def __str__(self) -> str:
        return f"#{self.pk}"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director of the school reviews them all; whoever opened one sees their own."""
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR)) | Q(user_id=user.pk)

    @property
    def in_force(self) -> bool:
        return self.expires_at > timezone.now()

    BASIS_PREFIX = "emergency access #"

    @property
    def basis(self) -> str:
        """How a read under this access is marked in the access log."""
        return f"{self.BASIS_PREFIX}{self.pk} (break-glass)"

    @classmethod
    def held_by(cls, user) -> EmergencyAccessQuerySet:
        """The accesses in force that ``user`` opened, at schools where they still hold a role."""
        return cls.objects.in_force().filter(user_id=user.pk, school_id__in=user.school_ids)

    @classmethod
    def student_ids_for(cls, user) -> models.QuerySet:
        """The students whose files ``user`` has open under an access in force (a subquery)."""
        return cls.held_by(user).values("student_id")

    @classmethod
    def in_force_for(cls, user, student_id: int) -> EmergencyAccess | None:
        """The access in force by which ``user`` reads the student's file, if any."""
        if not getattr(user, "pk", None):
            return None
        return cls.held_by(user).filter(student_id=student_id).order_by("-expires_at").first()
