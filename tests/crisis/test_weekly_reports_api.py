"""The weekly reports' API keeps the pages' rules (crisis/api_reports.py)."""

from __future__ import annotations

import json

import pytest

from tests.crisis.reports_factories import a_report, network_for_reports
from xinqiao.crisis.models import Alert, WeeklyReport, WorriedItem

pytestmark = pytest.mark.django_db

WHY = "他说不想活了"


def post_json(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_committee_member_sends_the_report_by_the_api_once(cast, signed_in):
    net = network_for_reports(cast)
    client = signed_in(net.committee_member)
    body = {
        "mood": 2,
        "events": "考试周",
        "worries": [{"student_id": net.student_record.pk, "why": WHY}],
    }
    path = f"/api/crisis/reports/class/{net.school_class.pk}"
    first = post_json(client, path, body)
    second = post_json(client, path, body)
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["worries"][0]["why"] == WHY  # the writer reads what they wrote
    assert WeeklyReport.objects.count() == 1 and WorriedItem.objects.count() == 1


def test_naming_a_student_outside_the_class_is_refused_and_nothing_is_stored(cast, signed_in):
    net = network_for_reports(cast)
    body = {"mood": 2, "worries": [{"student_id": 999999, "why": WHY}]}
    response = post_json(
        signed_in(net.committee_member), f"/api/crisis/reports/class/{net.school_class.pk}", body
    )
    assert response.status_code == 400
    assert not WeeklyReport.objects.exists()


def test_the_grade_leader_gets_how_many_and_the_class_teacher_who_but_never_why(cast, signed_in):
    report = a_report(cast, why=WHY)
    leader = signed_in(cast.grade_leader).get(f"/api/crisis/reports/{report.pk}").json()
    assert (leader["worry_count"], leader["worries"]) == (1, None)
    teacher = signed_in(cast.class_teacher).get(f"/api/crisis/reports/{report.pk}").json()
    assert teacher["worries"][0]["student_name"] == "何小明"
    assert teacher["worries"][0]["why"] is None
    assert WHY not in json.dumps(teacher, ensure_ascii=False)


def test_the_counselor_raises_the_alert_once_by_the_api(cast, signed_in):
    item = a_report(cast, why=WHY).worries.get()
    client = signed_in(cast.counselor)
    assert client.get(f"/api/crisis/reports/worried/{item.pk}").json()["why"] == WHY
    path = f"/api/crisis/reports/worried/{item.pk}/alert"
    first = post_json(client, path, {"risk_level": "crisis"})
    second = post_json(client, path, {"risk_level": "crisis"})
    assert first.status_code == second.status_code == 201
    assert first.json()["alert_id"] == second.json()["alert_id"] == Alert.objects.get().pk


def test_leadership_gets_the_weekly_figures(cast, signed_in):
    a_report(cast, why=WHY)
    rows = signed_in(cast.principal).get("/api/crisis/reports/summary").json()
    sent = {row["unit"]: row for row in rows if row["submitted"]}
    assert sent["七年级1班"]["worries"] == 1
    assert WHY not in json.dumps(rows, ensure_ascii=False)
