"""Flags of unusual reading patterns in the access log (issue 16 item 2), and where the last
scan of the log stopped."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import Role
from xinqiao.core.tenancy import SchoolScopedModel, SchoolScopedQuerySet


class AccessFlagQuerySet(SchoolScopedQuerySet):
    def open(self) -> AccessFlagQuerySet:
        return self.filter(reviewed_at__isnull=True)


class AccessFlag(SchoolScopedModel):
    """One unusual pattern in one person's use of the log's rows, for the director to review.

    Written once (the constraint on kind, school, person and ``key``: a scan that runs twice
    over the same rows finds the same key), and the director is told once, when it is written.
    The person is copied as in the log (``actor_id``, ``actor_username``): the flag outlives
    the account. A flag names no student and no case: the rows behind it are in the log, where
    the director reads them (``first_seq`` .. ``last_seq``).
    """

    class Kind(models.TextChoices):
        MANY_FILES = "many_files", _("many files in a short time")
        OUTSIDE_HOURS = "outside_hours", _("reads outside working hours")
        REFUSALS = "refusals", _("many refusals")
        GRANT_ENDING = "grant_ending", _("reads under a grant close to its end")

    kind = models.CharField(_("pattern"), max_length=30, choices=Kind.choices)
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(_("person"), max_length=150)
    key = models.CharField(max_length=40)
    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField()
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    count = models.PositiveIntegerField(_("count"))
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = EncryptedTextField(_("review note"), blank=True)

    objects = AccessFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access flag")
        verbose_name_plural = _("access flags")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "actor_username", "key"], name="privacy_flag_once"
            )
        ]
        indexes = [models.Index(fields=["school", "reviewed_at", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director of the school, only: a flag points at the log's content."""
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR))


class FlagScan(models.Model):
    """The one row that says up to which ``seq`` the detectors have read the log (the
    watermark), locked while a scan runs so that two workers never scan the same rows."""

    seq = models.PositiveBigIntegerField(default=0)
    ran_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access flag scan")
        verbose_name_plural = _("access flag scans")
