"""What the crisis API takes and answers (django-ninja schemas).

``AlertOut`` is an alert's summary, what leadership may see too: who, the level, the state and
the next deadline, never the evidence.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema

from xinqiao.crisis.models import Alert

RiskLevel = Literal[tuple(Alert.RiskLevel.values)]  # type: ignore[valid-type]
Source = Literal[tuple(Alert.Source.values)]  # type: ignore[valid-type]


class AlertIn(Schema):
    risk_level: RiskLevel
    source: Source
    evidence: str = Field(
        ..., min_length=1, max_length=5000, description="What was said or seen (confidential)."
    )
    student_id: int | None = Field(None, description="The student; omit for someone unknown.")
    person_description: str = Field(
        "", max_length=200, description="Who, when not a known student (e.g. an anonymous caller)."
    )
    school_id: int | None = Field(
        None, description="For someone unknown: the school (the caller's own by default)."
    )
    key: str = Field(
        "",
        max_length=100,
        description="The caller's own key: sent again (a retry), the same alert is answered "
        "and nothing is stored twice.",
    )


class AlertOut(Schema):
    id: int
    school_id: int
    student_id: int | None
    who: str
    risk_level: str
    source: str
    state: str
    raised_at: datetime.datetime
    next_deadline: datetime.datetime | None = Field(
        description="When the next level of the network is told unless acknowledged."
    )

    @staticmethod
    def resolve_who(alert: Alert) -> str:
        return alert.student.name if alert.student is not None else alert.person_description

    @staticmethod
    def resolve_next_deadline(alert: Alert) -> datetime.datetime | None:
        if alert.state != Alert.State.RAISED:
            return None
        try:
            return alert.escalation.due_at
        except ObjectDoesNotExist:
            return None
