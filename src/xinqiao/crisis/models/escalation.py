"""Escalation along the school's work network (002_714d38c47455f8e7.txt: problems found are
reported upward in time; 000: 应果断报告有关部门采取必要的措施).

Each school sets how long each level may wait for an acknowledgement (``EscalationPolicy``);
an open alert's place in its chain is ``AlertEscalation`` (the step told last and when the next
is due); every person told is an ``AlertNotice``, stored once per alert, person and step by a
unique constraint, so that two workers running the same step tell nobody twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import ProtectedModel
from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES
from xinqiao.core.tenancy import SchoolScopedModel
from xinqiao.crisis.models.alert import Alert


class EscalationPolicy(SchoolScopedModel):
    """How long an alert of each level may stay unacknowledged before the next level is told.

    Defaults (issue 14): 危机 10 minutes, 高危 the end of the same school day, 关注 a week.
    A school without a row of its own uses the defaults (``for_school``).
    """

    crisis_minutes = models.PositiveSmallIntegerField(
        _("crisis: minutes before the next level is told"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    school_day_ends_at = models.TimeField(
        _("high risk: the school day ends at"),
        default=datetime.time(17, 30),
        help_text=_("An alert raised after this time waits until the end of the next day."),
    )
    concern_days = models.PositiveSmallIntegerField(
        _("concern: days before the next level is told"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("escalation deadlines")
        verbose_name_plural = _("escalation deadlines")
        constraints = [
            models.UniqueConstraint(fields=["school"], name="crisis_escalation_policy_once")
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side and leadership of the school (no confidential content)."""
        return Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES, *LEADERSHIP_ROLES))

    @classmethod
    def for_school(cls, school_id: int) -> EscalationPolicy:
        found = cls.objects.filter(school_id=school_id).first()
        return found if found is not None else cls(school_id=school_id)

    def deadline(self, risk_level: str, start: datetime.datetime) -> datetime.datetime:
        """When a step told at ``start`` must have been acknowledged."""
        if risk_level == Alert.RiskLevel.CRISIS:
            return start + datetime.timedelta(minutes=self.crisis_minutes)
        if risk_level == Alert.RiskLevel.HIGH:
            local = timezone.localtime(start)
            end = local.replace(
                hour=self.school_day_ends_at.hour,
                minute=self.school_day_ends_at.minute,
                second=0,
                microsecond=0,
            )
            return end if end > local else end + datetime.timedelta(days=1)
        return start + datetime.timedelta(days=self.concern_days)


class AlertEscalation(ProtectedModel):
    """Where an alert stands in its chain: the step told last and when the next one is due
    (``due_at`` empty: nobody is left to tell). The task scheduled at the deadline, or the
    minute's sweep, claims a step with a conditional UPDATE on ``step``, so one worker advances
    it."""

    scope_parent = "alert"

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="escalation")
    step = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("alert escalation")
        verbose_name_plural = _("alert escalations")


class AlertNotice(ProtectedModel):
    """One person told about an alert at one step of its chain."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("counseling center director")
        COUNSELOR = "counselor", _("counselor of the student")
        PRINCIPAL = "principal", _("principal")
        VICE_PRINCIPAL = "vice_principal", _("vice principal in charge")
        LEADERSHIP_GROUP = "leadership_group", _("leadership group member")
        STUDENT_AFFAIRS = "student_affairs", _("student affairs")
        CLASS_TEACHER = "class_teacher", _("class teacher (told what to do, not why)")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_name = models.CharField(max_length=150)
    step = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=30, choices=Role.choices)
    told_at = models.DateTimeField(default=timezone.now)
    notification = models.ForeignKey(
        "core.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("alert notice")
        verbose_name_plural = _("alert notices")
        ordering = ["told_at", "step", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "recipient", "step"], name="crisis_notice_told_once"
            )
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Whoever sees the alert sees who was told; a person sees the notices addressed to them."""
        return Q(alert__in=Alert.objects.for_user(user).values("pk")) | Q(recipient_id=user.pk)

    @property
    def tells_what_to_do_only(self) -> bool:
        return self.role == self.Role.CLASS_TEACHER
