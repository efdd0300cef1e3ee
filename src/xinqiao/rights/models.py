"""A guardian's request for a copy or a correction of their child's records (PIPL art. 45-46;
issue 16 item 4).

Seed 001: 任何有关当事人的信息只有在本人愿意的情况下才能披露, and archives are never lent: a
guardian asks, the director decides what is released, a session record is released only when a
counselor of its case has reviewed it, and the copy is watermarked with the guardian, the date
and the request number. A correction never overwrites a record: it is a note linked to it.

- ``RecordRequest``: the request, its deadline and its state machine.
- ``NoteReview``: a counselor's review of one session record for one request.
- ``RecordCorrection``: an accepted correction, linked to the record it corrects.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import Role
from xinqiao.core.tenancy import SchoolScopedModel


class RecordRequest(SchoolScopedModel):
    confidential = True

    class Kind(models.TextChoices):
        COPY = "copy", _("a copy of the records")
        CORRECTION = "correction", _("a correction")

    class State(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("record request", "received")
        UNDER_REVIEW = "under_review", _("under review")
        DECIDED = "decided", _("decided")
        RELEASED = "released", _("released")
        CLOSED = "closed", pgettext_lazy("record request", "closed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Outcome(models.TextChoices):
        RELEASE_ALL = "release_all", _("release all")
        RELEASE_PART = "release_part", _("release part")
        ACCEPT = "accept", _("correct the record")
        REFUSE = "refuse", _("refuse")

    class Part(models.TextChoices):
        """What a released copy may hold; session records only as reviewed (NoteReview)."""

        BASIC = "basic", _("basic information")
        CASES = "cases", _("cases: plans, measures, summaries and evaluations")
        RECORDS = "records", _("session records a counselor has reviewed for release")
        CONSENTS = "consents", _("consents")

    TRANSITIONS = {
        State.RECEIVED: {State.UNDER_REVIEW, State.WITHDRAWN},
        State.UNDER_REVIEW: {State.DECIDED, State.WITHDRAWN},
        State.DECIDED: {State.RELEASED, State.CLOSED},
        State.RELEASED: set(),
        State.CLOSED: set(),
        State.WITHDRAWN: set(),
    }
    OPEN_STATES = (State.RECEIVED, State.UNDER_REVIEW, State.DECIDED)
    COPY_OUTCOMES = (Outcome.RELEASE_ALL, Outcome.RELEASE_PART, Outcome.REFUSE)
    CORRECTION_OUTCOMES = (Outcome.ACCEPT, Outcome.REFUSE)

    student = models.ForeignKey(
        "people.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("child")
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_requests"
    )
    guardian_name = models.CharField(_("guardian"), max_length=150)
    kind = models.CharField(_("what is asked for"), max_length=20, choices=Kind.choices)
    asked = EncryptedTextField(_("what you ask for"))
    # A correction: which record (in the guardian's words) and what it should say.
    record_reference = EncryptedTextField(_("which record"), blank=True)
    correction = EncryptedTextField(_("the correction asked"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices, blank=True)
    parts = models.JSONField(_("released parts"), default=list, blank=True)
    # Told to the guardian on their page (never in a notification).
    reasons = EncryptedTextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    # The copy as released (a .docx, base64), kept encrypted: what the guardian downloads is
    # what was decided on the day, whatever is written in the file afterwards.
    released_copy = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("record request")
        verbose_name_plural = _("record requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("received_at")),
                name="rights_request_due_after_received",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"SQ-{timezone.localtime(self.received_at):%Y}-{self.pk:04d}"

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The guardian who asked; the director of the school; a counselor of a case of the
        child (who reviews the session records before any is released)."""
        from xinqiao.cases.models import CaseCounselor

        held = CaseCounselor.objects.filter(user_id=user.pk).values("case__student_id")
        return (
            Q(guardian_id=user.pk)
            | Q(school_id__in=user.school_ids_with(Role.DIRECTOR))
            | Q(school_id__in=user.school_ids_with(Role.COUNSELOR), student_id__in=held)
        )

    @staticmethod
    def due_for(received_at: datetime.datetime) -> datetime.datetime:
        return received_at + datetime.timedelta(days=settings.RIGHTS_RESPONSE_DAYS)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def days_left(self, today: datetime.date | None = None) -> int:
        """Days until the answer is due (negative: overdue by as many days)."""
        today = today or timezone.localdate()
        return (timezone.localdate(self.due_at) - today).days

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def part_labels(self) -> list[str]:
        labels = dict(self.Part.choices)
        return [str(labels[part]) for part in self.parts if part in labels]

    @property
    def releases(self) -> bool:
        return self.outcome in (self.Outcome.RELEASE_ALL, self.Outcome.RELEASE_PART)


class NoteReview(ProtectedModel):
    """Whether one session record may go into one request's copy, as a counselor of its case
    decided (never released without this review; issue 16 item 4)."""

    scope_parent = "request"

    request = models.ForeignKey(RecordRequest, on_delete=models.CASCADE, related_name="reviews")
    record = models.ForeignKey("cases.SessionRecord", on_delete=models.CASCADE, related_name="+")
    may_release = models.BooleanField(_("may be released"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("session record review")
        verbose_name_plural = _("session record reviews")
        constraints = [
            models.UniqueConstraint(fields=["request", "record"], name="rights_review_once")
        ]


class RecordCorrection(ProtectedModel):
    """An accepted correction: a note linked to the record it corrects (or to the file as a
    whole), which never changes the record itself; released copies print it beside it."""

    scope_parent = "request"

    request = models.OneToOneField(
        RecordRequest, on_delete=models.PROTECT, related_name="applied_correction"
    )
    record = models.ForeignKey(
        "cases.SessionRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("record corrected"),
    )
    text = EncryptedTextField(_("correction"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("record correction")
        verbose_name_plural = _("record corrections")
        ordering = ["applied_at", "pk"]
