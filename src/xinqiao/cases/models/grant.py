"""Access grants (查阅授权, issue 16 item 1; seed 000: 未经负责人同意，值班人员严禁随意翻阅心理咨询室
存放的材料和文件).

A staff member who does not read a case asks the director for a time-limited, read-only look
at one case or at one student's whole file, for a reason; the director approves (perhaps only
some parts of the case, perhaps for a shorter time), refuses, or later revokes. Like an
emergency access (crisis/models/emergency_access.py), a grant in force plugs into the case's
one rule (``Case.visibility_q`` / ``Case.read_by``), so every getter, list and export follows
it and the very next request after its end or revocation is refused.
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


class CasePart(models.TextChoices):
    """The sections of the case page a grant may open; the intake and header always show."""

    ASSESSMENT = "assessment", _("needs assessment")
    CONFERENCES = "conferences", _("case conferences")
    PLAN = "plan", _("support plan and measures")
    RECORDS = "records", _("session records and summaries")
    EVALUATIONS = "evaluations", _("evaluations")
    REFERRALS = "referrals", _("referrals and consents")
    SCREENING = "screening", _("screening results")


ALL_PARTS = frozenset(CasePart.values)


def parts_text(parts) -> str:
    """The stored form of a set of parts: ",plan,records," (a plain lookup finds one part)."""
    ordered = [p for p in CasePart.values if p in set(parts)]
    return f",{','.join(ordered)}," if ordered else ""


def parts_of(text: str) -> frozenset[str]:
    return frozenset(p for p in text.split(",") if p in ALL_PARTS)


class AccessGrantQuerySet(SchoolScopedQuerySet):
    def in_force(self) -> AccessGrantQuerySet:
        now = timezone.now()
        return self.filter(state=AccessGrant.State.APPROVED, starts_at__lte=now, expires_at__gt=now)

    def held_by(self, user) -> AccessGrantQuerySet:
        """The grants in force of ``user`` at schools where they still hold a role."""
        if not getattr(user, "pk", None):
            return self.none()
        return self.in_force().filter(requester_id=user.pk, school_id__in=user.school_ids)

    def with_part(self, part: str) -> AccessGrantQuerySet:
        return self.filter(parts_granted__contains=f",{part},")


class AccessGrant(SchoolScopedModel):
    """One request for a read-only look at a case or a student's file, and its decision."""

    class Kind(models.TextChoices):
        CASE = "case", _("one case")
        FILE = "file", _("a student's file")

    class State(models.TextChoices):
        REQUESTED = "requested", _("waiting for the director")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        REVOKED = "revoked", _("revoked")
        WITHDRAWN = "withdrawn", _("withdrawn")

    TRANSITIONS = {
        State.REQUESTED: {State.APPROVED, State.REFUSED, State.WITHDRAWN},
        State.APPROVED: {State.REVOKED},
        State.REFUSED: set(),
        State.REVOKED: set(),
        State.WITHDRAWN: set(),
    }

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_grants",
        verbose_name=_("asked by"),
    )
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    # The student always: a case grant is about one of the student's cases, a file grant
    # about all of them (and the access log files every read under either by student).
    student = models.ForeignKey(
        "people.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("student")
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
        verbose_name=_("case"),
    )
    reason = EncryptedTextField(_("why"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until (asked)"))
    # The end in force: the one asked until the director decides, then the one granted.
    expires_at = models.DateTimeField(_("until"), db_index=True)
    parts_requested = models.CharField(_("parts asked"), max_length=200)
    parts_granted = models.CharField(_("parts granted"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = EncryptedTextField(_("decision note"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="case") & Q(case__isnull=False))
                | (Q(kind="file") & Q(case__isnull=True)),
                name="cases_grant_one_target",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at"))
                & Q(expires_at__lte=models.F("ends_at")),
                name="cases_grant_period",
            ),
            # One open request per person and target: a double submission stores one.
            models.UniqueConstraint(
                fields=["requester", "case"],
                condition=Q(state="requested", kind="case"),
                name="cases_grant_one_open_case_request",
            ),
            models.UniqueConstraint(
                fields=["requester", "student"],
                condition=Q(state="requested", kind="file"),
                name="cases_grant_one_open_file_request",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "state", "expires_at"]),
            models.Index(fields=["school", "state"]),
        ]

    confidential = True
    BASIS_PREFIX = "access grant #"

    def __str__(self) -> str:
        return f"#{self.pk}"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director of the school decides them all; whoever asked sees their own."""
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR)) | Q(requester_id=user.pk)

    @property
    def basis(self) -> str:
        """How a read under this grant is marked in the access log."""
        return f"{self.BASIS_PREFIX}{self.pk}"

    @property
    def in_force(self) -> bool:
        now = timezone.now()
        return self.state == self.State.APPROVED and self.starts_at <= now < self.expires_at

    @property
    def expired(self) -> bool:
        return self.state == self.State.APPROVED and self.expires_at <= timezone.now()

    @property
    def status_label(self) -> str:
        """The state as people say it: an approved grant past its end has expired."""
        if self.expired:
            return str(_("expired"))
        if self.state == self.State.APPROVED and not self.in_force:
            return str(_("approved, not yet begun"))
        return self.get_state_display()

    @property
    def requested_parts(self) -> frozenset[str]:
        return parts_of(self.parts_requested)

    @property
    def granted_parts(self) -> frozenset[str]:
        return parts_of(self.parts_granted)

    def part_labels(self, parts) -> list[str]:
        return [label for value, label in CasePart.choices if value in parts]

    @property
    def requested_part_labels(self) -> list[str]:
        return self.part_labels(self.requested_parts)

    @property
    def granted_part_labels(self) -> list[str]:
        return self.part_labels(self.granted_parts)

    def covers(self, case) -> bool:
        if self.kind == self.Kind.CASE:
            return self.case_id == case.pk
        return self.student_id == case.student_id

    def can_become(self, state: str) -> bool:
        return state in self.TRANSITIONS[self.state]

    # --- what the case rule asks -----------------------------------------------------------------
    @classmethod
    def case_q(cls, user, part: str | None = None) -> Q:
        """The cases ``user`` reads under a grant in force (those that grant ``part``)."""
        held = cls.objects.held_by(user)
        if part is not None:
            held = held.with_part(part)
        return Q(pk__in=held.filter(kind=cls.Kind.CASE).values("case_id")) | Q(
            student_id__in=held.filter(kind=cls.Kind.FILE).values("student_id")
        )

    @classmethod
    def for_case(cls, user, case) -> list[AccessGrant]:
        """The grants in force by which ``user`` reads ``case``, longest first."""
        return list(
            cls.objects.held_by(user)
            .filter(
                Q(kind=cls.Kind.CASE, case_id=case.pk)
                | Q(kind=cls.Kind.FILE, student_id=case.student_id)
            )
            .order_by("-expires_at", "-pk")
        )

    @classmethod
    def file_grant_for(cls, user, student_id: int) -> AccessGrant | None:
        """The file grant in force by which ``user`` opens the student's file, if any."""
        return (
            cls.objects.held_by(user)
            .filter(kind=cls.Kind.FILE, student_id=student_id)
            .order_by("-expires_at", "-pk")
            .first()
        )
