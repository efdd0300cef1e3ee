"""The crisis API: raising and acknowledging alerts with the same rules as the pages.

Raising needs ``crisis.raise_alert`` in the student's (or the given) school; the caller's
``key`` is kept apart from every other caller's, so a retry finds the caller's own alert again
and stores nothing twice. Acknowledging reaches the alert through the same getter as the page
(``crisis.access.get_alert_or_refuse``): 404 for missing and not-yours alike, the refusal in
the access log.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from xinqiao.core.access import require
from xinqiao.core.api import JsonOrForm
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.crisis import services
from xinqiao.crisis.access import get_alert_or_refuse
from xinqiao.crisis.schemas import AlertIn, AlertOut
from xinqiao.people.models import School, Student

router = Router(tags=["crisis"])

AlertBody = Annotated[AlertIn, JsonOrForm(...)]


def _raise_key(user, key: str) -> str:
    if not key:
        return ""
    return "api:" + hashlib.sha256(f"api|{user.pk}|{key}".encode()).hexdigest()


def _school_for(user, payload: AlertIn) -> tuple[School, Student | None]:
    if payload.student_id is not None:
        student = Student.objects.for_user(user).filter(pk=payload.student_id).first()
        if student is None:
            raise Http404
        require(user, "crisis.raise_alert", student)
        return student.school, student
    raisers = user.school_ids_with(*COUNSELING_ROLES, Role.DUTY)
    school_id = payload.school_id or (min(raisers) if len(raisers) == 1 else None)
    if school_id is None:
        raise HttpError(400, _("Say which school (school_id)."))
    school = School.objects.for_user(user).filter(pk=school_id).first()
    if school is None:
        raise Http404
    require(user, "crisis.raise_alert", school)
    return school, None


@router.post(
    "/alerts",
    response={200: AlertOut, 201: AlertOut},
    summary="Raise an alert (counseling staff and duty staff); a retry with the same key "
    "answers the same alert (200)",
)
def alert_raise(request, payload: AlertBody):
    user = request.auth
    require(user, "crisis.raise_alert")
    school, student = _school_for(user, payload)
    raise_key = _raise_key(user, payload.key)
    asked_at = timezone.now()
    try:
        alert = services.raise_alert(
            actor=user,
            school=school,
            risk_level=payload.risk_level,
            source=payload.source,
            evidence=payload.evidence,
            student=student,
            person_description=payload.person_description,
            raise_key=raise_key,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    # A retry finds the alert raised before this request: 200, nothing new stored.
    return Status(201 if alert.raised_at >= asked_at else 200, alert)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=AlertOut,
    summary="Acknowledge an alert: its escalation stops (counseling staff and those it told)",
)
def alert_acknowledge(request, alert_id: int):
    alert = get_alert_or_refuse(request, alert_id, "crisis.acknowledge_alert")
    try:
        return services.alert_acknowledge(actor=request.auth, alert=alert)
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from None
