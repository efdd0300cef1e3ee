"""Crisis alerts under core/retention.py: a resolved or dismissed alert (with its timeline) is
kept until the later of its raising and its student's 18th birthday, plus the school's period.
An open alert is never listed."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core import retention
from xinqiao.core.retention import RecordType, ReviewRow
from xinqiao.crisis.models import Alert


def past_alerts(school_id: int, years: int, today: datetime.date) -> QuerySet[Alert]:
    before = retention.start_of_day(retention.years_before(today, years))
    of_age = retention.of_age_q(today, years, birth="student__birth_date", fallback="raised_at")
    return Alert.objects.filter(
        Q(student__isnull=True) | of_age,
        school_id=school_id,
        raised_at__lt=before,
    ).exclude(state__in=Alert.OPEN_STATES)


def alert_rows(alerts: QuerySet[Alert], years: int) -> list[ReviewRow]:
    alerts = alerts.select_related("student__school_class__grade").order_by("raised_at")
    rows = []
    for alert in alerts:
        raised = timezone.localdate(alert.raised_at)
        kept = retention.years_after(raised, years)
        student = alert.student
        if student is not None:
            kept = max(kept, retention.of_age_until(student.birth_date, raised, years))
            who = f"{student.name} · {student.school_class or student.get_status_display()}"
        else:
            who = str(_("someone who is not a known student"))
        rows.append(ReviewRow(alert.pk, f"{alert.get_risk_level_display()} · {who}", raised, kept))
    return rows


def register() -> None:
    retention.register(
        RecordType(
            key="crisis.alert",
            label=_("crisis alerts"),
            counted_from=_("the later of the alert and the student's 18th birthday"),
            default_years=10,
            minimum_years=3,
            past=past_alerts,
            rows=alert_rows,
            dispose=retention.delete_with_history,
        )
    )
