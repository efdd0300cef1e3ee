"""The crisis API: raising and acknowledging with the rules of the pages; a retry stores once."""

from __future__ import annotations

import pytest
from django.test import Client

from xinqiao.core.models import AccessLog
from xinqiao.core.services import api_token_create
from xinqiao.crisis.models import Alert, AlertNotice
from xinqiao.crisis.services import raise_alert

pytestmark = pytest.mark.django_db

EVIDENCE = "说今晚要跳楼"


def api(user) -> Client:
    _token, key = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def payload(cast, **extra) -> dict:
    return {
        "risk_level": "crisis",
        "source": "duty_phone",
        "evidence": EVIDENCE,
        "student_id": cast.student_record.pk,
        **extra,
    }


def test_raising_twice_with_the_same_key_stores_once(cast):
    client = api(cast.duty)
    first = client.post("/api/crisis/alerts", payload(cast, key="call-42"), "application/json")
    again = client.post("/api/crisis/alerts", payload(cast, key="call-42"), "application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Alert.objects.count() == 1
    assert AlertNotice.objects.filter(recipient=cast.director).count() == 1
    body = first.json()
    assert body["state"] == "raised" and body["who"] == "何小明"
    assert body["next_deadline"] is not None
    assert EVIDENCE not in first.content.decode()


def test_another_callers_key_is_another_alert(cast):
    api(cast.duty).post("/api/crisis/alerts", payload(cast, key="k"), "application/json")
    api(cast.counselor).post("/api/crisis/alerts", payload(cast, key="k"), "application/json")
    assert Alert.objects.count() == 2


def test_a_class_teacher_cannot_raise_through_the_api(cast):
    response = api(cast.class_teacher).post("/api/crisis/alerts", payload(cast), "application/json")
    assert response.status_code == 403
    assert not Alert.objects.exists()


def test_another_schools_counselor_cannot_raise_about_this_schools_student(cast):
    response = api(cast.outsider).post("/api/crisis/alerts", payload(cast), "application/json")
    assert response.status_code == 404
    assert not Alert.objects.exists()


def test_the_principal_told_of_a_crisis_acknowledges_it_through_the_api(cast):
    alert = raise_alert(
        actor=cast.counselor,
        school=cast.school,
        risk_level="crisis",
        source="counseling",
        evidence=EVIDENCE,
        student=cast.student_record,
    )
    response = api(cast.principal).post(f"/api/crisis/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert response.json()["next_deadline"] is None
    again = api(cast.counselor).post(f"/api/crisis/alerts/{alert.pk}/acknowledge")
    assert again.status_code == 409


def test_the_class_teacher_cannot_acknowledge_and_the_refusal_is_recorded(cast):
    alert = raise_alert(
        actor=cast.counselor,
        school=cast.school,
        risk_level="crisis",
        source="counseling",
        evidence=EVIDENCE,
        student=cast.student_record,
    )
    response = api(cast.class_teacher).post(f"/api/crisis/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.state == "raised"
    assert AccessLog.objects.filter(action="denied", actor_username="class_teacher").exists()
