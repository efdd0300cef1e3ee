"""Crisis alerts: one model, one service entry point (crisis.services.raise_alert)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES
from xinqiao.core.tenancy import SchoolScopedModel


class Alert(SchoolScopedModel):
    """A student (or an anonymous person) who may be in danger.

    State machine (DESIGN.md): raised → acknowledged → in intervention → resolved. The source's
    evidence is confidential text; leadership learns who and what to do, never the evidence.
    """

    class RiskLevel(models.TextChoices):
        """The school's three levels (关注 / 高危 / 危机), lowest first."""

        CONCERN = "concern", pgettext_lazy("alert level", "concern")
        HIGH = "high", pgettext_lazy("alert level", "high risk")
        CRISIS = "crisis", pgettext_lazy("alert level", "crisis (imminent danger)")

    class Source(models.TextChoices):
        DUTY_PHONE = "duty_phone", _("duty phone")
        WALK_IN = "walk_in", _("walk-in")
        TEACHER = "teacher", _("teacher referral")
        GUARDIAN = "guardian", _("guardian")
        LETTER = "letter", _("letter")
        SCREENING = "screening", _("screening result")
        NETWORK_REPORT = "network_report", _("network report")
        COUNSELING = "counseling", _("counseling session")
        OTHER = "other", _("other")

    class State(models.TextChoices):
        RAISED = "raised", _("raised")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        IN_INTERVENTION = "in_intervention", _("in intervention")
        RESOLVED = "resolved", _("resolved")
        DISMISSED = "dismissed", _("dismissed")

    TRANSITIONS = {
        State.RAISED: {State.ACKNOWLEDGED, State.RESOLVED, State.DISMISSED},
        State.ACKNOWLEDGED: {State.IN_INTERVENTION, State.RESOLVED, State.DISMISSED},
        State.IN_INTERVENTION: {State.RESOLVED},
        State.RESOLVED: set(),
        State.DISMISSED: set(),
    }
    OPEN_STATES = (State.RAISED, State.ACKNOWLEDGED, State.IN_INTERVENTION)

    student = models.ForeignKey(
        "people.Student",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("student"),
    )
    person_description = models.CharField(
        _("who, if not a known student"), max_length=200, blank=True
    )
    risk_level = models.CharField(_("risk level"), max_length=20, choices=RiskLevel.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # What the source was (e.g. "rooms.Intake", 12): the thing itself stays in its own app.
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    # The same alert raised twice (a double submit, a retry) is stored once: the raiser's key,
    # unique per school when given (crisis.services.raise_alert).
    raise_key = models.CharField(max_length=200, blank=True, editable=False)
    evidence = EncryptedTextField(_("what was said or seen"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RAISED, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(student__isnull=False) | ~Q(person_description=""),
                name="crisis_alert_names_someone",
            ),
            models.UniqueConstraint(
                fields=["school", "raise_key"],
                condition=~Q(raise_key=""),
                name="crisis_alert_raised_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_risk_level_display()} · {self.student or self.person_description}"

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Alerts: the counseling side of the school sees them; their raiser sees their own;
        a person told about one by its escalation sees its summary (never the evidence: that
        is ``crisis.change_alert``). A class teacher told what to do is not told why."""
        from xinqiao.crisis.models.escalation import AlertNotice

        told = AlertNotice.objects.filter(recipient_id=user.pk).exclude(
            role=AlertNotice.Role.CLASS_TEACHER
        )
        return (
            Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES))
            | Q(raised_by_id=user.pk)
            | Q(pk__in=told.values("alert_id"))
        )


class AlertEvent(ProtectedModel):
    """Every state change of an alert, with who did it and when (never edited)."""

    scope_parent = "alert"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(blank=True)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["at", "id"]
