"""The letterbox (心理信箱, seeds 000 and 001): letters to the counseling room and its replies.

A letter is named (its writer's account sees it and its replies) or anonymous: then nothing
stored links it to an account (no writer, the day it came rather than the minute, no change
history, no access-log row with the sender) and its replies are read with the pickup code
shown once when it was sent; only a keyed hash of that code is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES
from xinqiao.core.tenancy import SchoolScopedModel
from xinqiao.crisis.models import Alert


class Letter(SchoolScopedModel):
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("writer"),
    )
    body = EncryptedTextField(_("letter"))
    # The day only: the minute would let whoever reads the sessions or the server's logs
    # tell which signed-in pupil sent an anonymous letter.
    sent_on = models.DateField(_("received on"), default=timezone.localdate, db_index=True)
    pickup_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # A keyed hash of the form's one-time key: the same form sent twice stores one letter.
    submission_hash = models.CharField(max_length=64, unique=True, editable=False)
    flag_level = models.CharField(
        _("danger phrase level"), max_length=20, choices=Alert.RiskLevel.choices, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    confidential = True

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return self.writer_id is None

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side of the school; the writer of a named letter (DESIGN.md 1)."""
        return Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES)) | Q(writer_id=user.pk)


class LetterReply(ProtectedModel):
    scope_parent = "letter"

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="replies")
    body = EncryptedTextField(_("reply"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("letter reply")
        verbose_name_plural = _("letter replies")
        ordering = ["sent_at", "pk"]
