"""The register of research and teaching exports (issue 16 item 3).

Each export is kept as a record of who made it, when, for which schools and period, with which
k, and what it released, suppressed and left out for want of consent; with the SHA-256 of the
file, so that a copy found later can be matched to its record.

The file itself is kept encrypted (``content``, with the field keys kept outside the database)
only for ``KEEP_FILE_DAYS`` days, then cleared by a periodic task: the export is made by the
task queue, so the file must wait somewhere until the director downloads it; the database
(not one server's disk) is that place because a district runs several app servers. After the
days are over the register and the hash remain; a new export can be made from the same
parameters.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import Role

KEEP_FILE_DAYS = 7


class ResearchExport(ProtectedModel):
    """One de-identified research export: its parameters, its outcome, the file's hash."""

    class Status(models.TextChoices):
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    class Include(models.TextChoices):
        ASSESSMENT = "assessment", _("needs assessment")
        STATISTICS = "statistics", _("case statistics")
        SCREENING = "screening", _("screening results (bands)")

    # One school's export (its director), or a district's across its schools.
    school = models.ForeignKey(
        "people.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
    )
    district = models.ForeignKey(
        "people.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    k = models.PositiveSmallIntegerField(_("k (smallest group)"))
    include = models.JSONField(_("included"), default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(_("made by"), max_length=150)
    created_at = models.DateTimeField(_("made"), default=timezone.now, db_index=True)
    # The requester's language: the task queue writes the workbook's headings in it.
    language = models.CharField(max_length=10, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    percent = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    cases_considered = models.PositiveIntegerField(_("cases in the period"), default=0)
    rows_released = models.PositiveIntegerField(_("rows released"), default=0)
    rows_suppressed = models.PositiveIntegerField(_("rows suppressed"), default=0)
    left_out_no_consent = models.PositiveIntegerField(_("left out: no research consent"), default=0)
    smallest_group = models.PositiveIntegerField(_("smallest group released"), default=0)
    generalisation = models.JSONField(default=dict, blank=True)  # QI label → level description
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    content = EncryptedTextField(blank=True)  # base64 of the .xlsx, cleared after KEEP_FILE_DAYS
    file_kept_until = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    # The form's one-time token: a double submission makes one export.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("research export")
        verbose_name_plural = _("research exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, district__isnull=True)
                | Q(school__isnull=True, district__isnull=False),
                name="reports_export_school_or_district",
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="reports_export_period_in_order",
            ),
            models.CheckConstraint(condition=Q(k__gte=2), name="reports_export_k_at_least_2"),
        ]

    confidential = True

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d} (k={self.k})"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """A school's exports: its director; a district's: the district center."""
        districts = user.district_ids if user.has_role(Role.DISTRICT) else frozenset()
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR)) | Q(
            school__isnull=True, district_id__in=districts
        )

    @property
    def scope_label(self) -> str:
        return str(self.school or self.district or "")

    @property
    def file_available(self) -> bool:
        return (
            self.status == self.Status.DONE
            and bool(self.content)
            and self.file_kept_until is not None
            and self.file_kept_until > timezone.now()
        )

    def included_labels(self) -> list[str]:
        return [str(self.Include(i).label) for i in self.include if i in self.Include.values]
