"""Danger phrases: the school's list of words that turn a text into an alert, and each flag they
raised (so the director sees which phrases are mostly dismissed and can tune the list)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES
from xinqiao.core.tenancy import SchoolScopedModel
from xinqiao.crisis.models.alert import Alert


def _counseling_side(user) -> Q:
    return Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES))


class DangerPhrase(SchoolScopedModel):
    """One word or phrase of a school's list and the level of alert it raises. A school without
    a list of its own uses the shipped one (crisis/phrases.py ``DEFAULT_PHRASES``)."""

    phrase = models.CharField(_("word or phrase"), max_length=20)
    level = models.CharField(_("risk level"), max_length=20, choices=Alert.RiskLevel.choices)

    class Meta:
        verbose_name = _("danger phrase")
        verbose_name_plural = _("danger phrases")
        ordering = ["level", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["school", "phrase"], name="crisis_phrase_once"),
        ]

    def __str__(self) -> str:
        return self.phrase

    @classmethod
    def visibility_q(cls, user) -> Q:
        return _counseling_side(user)


class PhraseFlag(SchoolScopedModel):
    """A phrase found in a text (a letter, an intake, a referral): the alert it raised and, when
    the counseling side judged it a false alarm, who dismissed it, when and why."""

    phrase = models.CharField(max_length=20)
    level = models.CharField(max_length=20, choices=Alert.RiskLevel.choices)
    source_type = models.CharField(max_length=100)
    source_id = models.CharField(max_length=64)
    alert = models.ForeignKey(
        Alert, null=True, on_delete=models.SET_NULL, related_name="phrase_flags"
    )
    flagged_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismiss_reason = EncryptedTextField(_("why it is a false alarm"), blank=True)

    confidential = True

    class Meta:
        verbose_name = _("danger-phrase flag")
        verbose_name_plural = _("danger-phrase flags")
        ordering = ["-flagged_at"]
        constraints = [
            # The same text checked twice (a double submit, a retry) flags each phrase once.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "phrase"], name="crisis_phrase_flag_once"
            ),
        ]

    def __str__(self) -> str:
        return self.phrase

    @classmethod
    def visibility_q(cls, user) -> Q:
        return _counseling_side(user)
