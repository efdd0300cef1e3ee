"""Dates and scores a case's work can hold (issue 12 item 22): a conference is recorded as held
on or after the day it was scheduled for, a session record and an evaluation fall between the
day the case was opened and today, and a questionnaire score is not negative. Each refusal is a
clear message, keeps what was typed and saves nothing, on the pages and through the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.cases.factories import case_at
from xinqiao.cases import services_plans, services_records
from xinqiao.cases.models import Conference, Evaluation, SessionRecord, Severity, SupportPlan

pytestmark = pytest.mark.django_db

NEXT_WEEK = datetime.timedelta(days=7)


def _next_weeks_conference(cast, case) -> Conference:
    return services_plans.conference_convene(
        actor=cast.director,
        case=case,
        scheduled_at=timezone.now() + NEXT_WEEK,
        place="心理咨询室",
        agenda="讨论帮扶方案",
        participants=[(cast.counselor, "counselor")],
    )


def test_a_conference_scheduled_for_next_week_cannot_be_recorded_as_held_today(cast):
    case = case_at(cast, "assessing", severity=Severity.SERIOUS)
    conference = _next_weeks_conference(cast, case)

    with pytest.raises(ValidationError, match="召开当天或之后"):
        services_plans.conference_record(
            actor=cast.director,
            conference=conference,
            attended=[cast.counselor.pk],
            decisions="制定个别帮扶方案。",
            shared_summary="",
        )

    conference.refresh_from_db()
    assert conference.state == Conference.State.PLANNED and conference.held_at is None
    assert conference.decisions == ""


def test_a_plan_waiting_for_a_conference_next_week_cannot_be_approved_by_recording_it_early(
    client, cast, signed_in
):
    case = case_at(cast, "assessing", severity=Severity.SERIOUS)
    conference = _next_weeks_conference(cast, case)
    plan = services_plans.plan_draft(
        actor=cast.counselor,
        case=case,
        goals="恢复正常上学。",
        review_every_weeks=4,
        measures=[
            {
                "kind": "individual",
                "description": "每周一次个体辅导",
                "responsible": cast.counselor,
                "starts_on": timezone.localdate(),
            }
        ],
    )
    signed_in(cast.director)

    response = client.post(
        f"/cases/conferences/{conference.pk}/",
        {"attended": [str(cast.counselor.pk)], "decisions": "制定个别帮扶方案。"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "召开当天或之后" in page and "制定个别帮扶方案。" in page
    conference.refresh_from_db()
    assert conference.state == Conference.State.PLANNED
    with pytest.raises(ValidationError):
        services_plans.plan_approve(actor=cast.director, plan=plan)
    plan.refresh_from_db()
    assert plan.state == SupportPlan.State.DRAFT


def _record(cast, case, held_at):
    return services_records.session_record(
        actor=cast.counselor,
        case=case,
        kind=SessionRecord.Kind.PHONE,
        held_at=held_at,
        place="电话",
        problem="与家长通话",
        measures_taken="约定家访时间",
    )


def test_a_session_record_dated_before_the_case_was_opened_is_refused(cast):
    case = case_at(cast, "active")
    records = case.records.count()

    with pytest.raises(ValidationError, match="早于开案") as refused:
        _record(cast, case, timezone.now() - datetime.timedelta(days=3))

    assert "held_at" in refused.value.message_dict
    assert case.records.count() == records


def test_a_session_record_on_the_day_the_case_was_opened_is_taken(cast):
    case = case_at(cast, "active")
    opened = timezone.localtime(case.opened_at)

    _record(cast, case, opened.replace(hour=0, minute=1))

    assert case.records.filter(kind=SessionRecord.Kind.PHONE).exists()


def test_the_record_page_refuses_a_date_before_the_case_and_keeps_what_was_typed(
    client, cast, signed_in
):
    case = case_at(cast, "active")
    signed_in(cast.counselor)
    before = timezone.localtime(case.opened_at) - datetime.timedelta(days=10)

    response = client.post(
        f"/cases/{case.pk}/records/new/",
        {
            "submission_key": "k-early",
            "kind": "phone",
            "held_at": before.strftime("%Y-%m-%dT%H:%M"),
            "place": "电话",
            "problem": "与家长通话，了解在家情况",
            "measures_taken": "约定家访时间",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "早于开案" in page and "与家长通话，了解在家情况" in page
    assert not case.records.exists()


@pytest.mark.parametrize(
    "held_at",
    [
        pytest.param(lambda case: case.opened_at - datetime.timedelta(days=10), id="before"),
        pytest.param(lambda case: timezone.now() + datetime.timedelta(days=2), id="future"),
    ],
)
def test_the_api_refuses_a_record_dated_outside_the_case(cast, signed_in, held_at):
    case = case_at(cast, "active")

    response = signed_in(cast.counselor).post(
        f"/api/cases/cases/{case.pk}/records",
        {
            "kind": "phone",
            "held_at": held_at(case).isoformat(),
            "place": "电话",
            "problem": "与家长通话",
            "measures_taken": "约定家访时间",
        },
        content_type="application/json",
    )

    assert response.status_code == 400 and response.json()["detail"]
    assert not case.records.exists()


def _evaluation(cast, case, **changes):
    return services_records.evaluation_record(
        actor=cast.counselor,
        case=case,
        **{"evaluated_on": timezone.localdate(), "student_rating": 7, **changes},
    )


def test_a_negative_questionnaire_score_is_refused(cast):
    case = case_at(cast, "active")

    with pytest.raises(ValidationError, match="不能为负数") as refused:
        _evaluation(cast, case, questionnaire="情绪自评问卷", questionnaire_score=-5)

    assert "questionnaire_score" in refused.value.message_dict
    assert not Evaluation.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "days, message",
    [(-10, "早于开案"), (3, "不能晚于今天")],
    ids=["before the case", "in the future"],
)
def test_an_evaluation_dated_outside_the_case_is_refused(cast, days, message):
    case = case_at(cast, "active")

    with pytest.raises(ValidationError, match=message):
        _evaluation(cast, case, evaluated_on=timezone.localdate() + datetime.timedelta(days=days))

    assert not Evaluation.objects.filter(case=case).exists()


def test_the_evaluation_page_refuses_a_negative_score_and_keeps_what_was_typed(
    client, cast, signed_in
):
    case = case_at(cast, "active")
    signed_in(cast.counselor)

    response = client.post(
        f"/cases/{case.pk}/evaluations/new/",
        {
            "evaluated_on": timezone.localdate().isoformat(),
            "student_rating": "7",
            "questionnaire": "情绪自评问卷",
            "questionnaire_score": "-5",
            "notes": "比上次平静",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "不能为负数" in page and "比上次平静" in page
    assert not Evaluation.objects.filter(case=case).exists()
