"""The screening API: the rules of the pages for each endpoint; a double submit stores one
result; a class teacher never gets a score."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.screening.factories import open_campaign, participation_of
from tests.screening.report_data import build_report_campaign
from xinqiao.core.models import AccessLog
from xinqiao.core.services import api_token_create
from xinqiao.screening.models import FollowUp, Participation, Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_wordings")]

ALL_ZERO = {f"q{i}": 0 for i in range(1, 10)}


def api(user) -> Client:
    _token, key = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def put_json(client, url, data):
    return client.put(url, json.dumps(data), "application/json")


def post_json(client, url, data):
    return client.post(url, json.dumps(data), "application/json")


def test_the_student_lists_opens_saves_and_submits_their_questionnaire(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    client = api(cast.student)
    listed = client.get("/api/screening/questionnaires").json()["items"]
    assert [q["id"] for q in listed] == [participation.pk]
    url = f"/api/screening/questionnaires/{participation.pk}"
    saved = put_json(client, f"{url}/answers", {"scale": "phq9", "answers": {"q1": 2}, "seq": 3})
    assert saved.status_code == 200 and saved.json() == {"ok": True, "seq": 3}
    # An older save arriving late changes nothing; the questionnaire shows the newer one.
    put_json(client, f"{url}/answers", {"scale": "phq9", "answers": {"q1": 0}, "seq": 2})
    detail = client.get(url).json()
    scale = detail["scales"][0]
    assert scale["answers"] == {"q1": 2} and scale["seq"] == 3
    assert len(scale["items"]) == 9 and scale["items"][0]["text"]
    assert detail["state"] == Participation.State.STARTED


def test_a_double_submit_stores_one_result(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    client = api(cast.student)
    url = f"/api/screening/questionnaires/{participation.pk}/submit"
    body = {"answers": {"phq9": {**ALL_ZERO, "q1": 1}}}
    first = post_json(client, url, body)
    again = post_json(client, url, {"answers": {"phq9": {**ALL_ZERO, "q1": 3}}})
    assert first.status_code == again.status_code == 200
    assert first.json()["submitted_at"] == again.json()["submitted_at"]
    assert first.json()["scores"] is None  # the campaign does not show scores to respondents
    assert Response.objects.filter(participation=participation).count() == 1
    assert Response.objects.get(participation=participation).total == 1


def test_an_unanswered_submit_is_refused_with_a_message_and_nothing_changes(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    response = post_json(
        api(cast.student), f"/api/screening/questionnaires/{participation.pk}/submit", {}
    )
    assert response.status_code == 400 and "PHQ" in response.json()["detail"]
    participation.refresh_from_db()
    assert participation.state == Participation.State.INVITED


def test_nobody_else_opens_saves_or_submits_a_students_questionnaire(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    url = f"/api/screening/questionnaires/{participation.pk}"
    for user in (cast.guardian, cast.class_teacher, cast.counselor, cast.outsider):
        client = api(user)
        assert client.get(url).status_code in (403, 404)
        saved = put_json(client, f"{url}/answers", {"scale": "phq9", "answers": {}, "seq": 1})
        assert saved.status_code in (403, 404)
        assert post_json(client, f"{url}/submit", {}).status_code in (403, 404)
    assert not Response.objects.filter(participation=participation).exists()
    participation.refresh_from_db()
    assert participation.state == Participation.State.INVITED


def test_campaigns_are_listed_for_staff_and_the_students_concerned(cast):
    campaign = open_campaign(cast)
    for user in (cast.director, cast.class_teacher, cast.principal, cast.student):
        ids = [c["id"] for c in api(user).get("/api/screening/campaigns").json()["items"]]
        assert ids == [campaign.pk], user
    assert api(cast.outsider).get("/api/screening/campaigns").json()["items"] == []
    assert api(cast.outsider).get(f"/api/screening/campaigns/{campaign.pk}").status_code == 404


def test_completion_per_class_is_counts_only_and_a_class_teacher_sees_their_class(cast):
    data = build_report_campaign(cast)
    url = f"/api/screening/campaigns/{data.campaign.pk}"
    director = api(cast.director).get(url).json()
    assert {row["name"]: row["submitted"] for row in director["completion"]} == {
        "七年级1班": 10,
        "七年级2班": 8,
        "八年级1班": 3,
    }
    teacher = api(cast.class_teacher).get(url).json()
    assert teacher["completion"] == [
        {
            "class_id": cast.school_class.pk,
            "name": "七年级1班",
            "invited": 10,
            "submitted": 10,
            "opted_out": 0,
        }
    ]
    assert "total" not in json.dumps(teacher) and "band" not in json.dumps(teacher)
    assert api(cast.student).get(url).json()["completion"] is None


def test_results_are_the_counseling_sides_and_the_read_is_recorded(cast):
    data = build_report_campaign(cast)
    url = f"/api/screening/results?campaign={data.campaign.pk}&limit=100"
    response = api(cast.counselor).get(url)
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["items"]}
    moderate = rows[data.students[(7, 1)][-1].name]
    assert moderate["scores"][0]["band"] == "moderate" and moderate["scores"][0]["total"] == 10
    assert AccessLog.objects.filter(
        action="read", actor_username=cast.counselor.username, object_type="screening.Campaign"
    ).exists()
    for user in (cast.principal, cast.class_teacher, cast.student, cast.duty, cast.outsider):
        assert api(user).get(url).status_code in (403, 404), user


def test_follow_ups_in_full_for_counseling_and_names_only_for_the_class_teacher(cast):
    data = build_report_campaign(cast)
    flagged = data.students[(7, 1)][-1]  # answered in the "moderate" band
    counseling = api(cast.counselor).get("/api/screening/follow-ups").json()["items"]
    assert [row["name"] for row in counseling] == [flagged.name]
    assert counseling[0]["conclusion"] == FollowUp.Conclusion.PENDING
    assert counseling[0]["scores"][0]["total"] == 10
    teacher = api(cast.class_teacher).get("/api/screening/follow-ups").json()["items"]
    assert teacher == [
        {
            "id": counseling[0]["id"],
            "name": flagged.name,
            "class_name": "七年级1班",
            "campaign_id": data.campaign.pk,
            "conclusion": None,
            "assigned_to": None,
            "interviewed_on": None,
            "scores": None,
        }
    ]
    for user in (cast.principal, cast.student, cast.guardian):
        assert api(user).get("/api/screening/follow-ups").status_code == 403


def test_a_class_teacher_never_gets_a_score_from_any_endpoint(cast):
    data = build_report_campaign(cast)
    client = api(cast.class_teacher)
    participation = participation_of(data.campaign, data.students[(7, 1)][-1])
    answers = [
        client.get("/api/screening/campaigns"),
        client.get(f"/api/screening/campaigns/{data.campaign.pk}"),
        client.get("/api/screening/questionnaires"),
        client.get(f"/api/screening/questionnaires/{participation.pk}"),
        client.get(f"/api/screening/results?campaign={data.campaign.pk}"),
        client.get("/api/screening/follow-ups"),
    ]
    for response in answers:
        body = response.content.decode()
        assert '"total": 1' not in body and '"band": "' not in body and "moderate" not in body
    assert [r.status_code for r in answers] == [200, 200, 200, 403, 403, 200]
