"""Closing a case says how each measure really ended (issue 12 item 21): the closing step lists
every open measure of the plan in force and the counselor gives it done, not done or stopped,
with a reason for the last two; confirming the closure changes none of them, and the archived
file shows what happened."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import case_at
from xinqiao.cases import services_records
from xinqiao.cases.models import Case, PlanMeasure

pytestmark = pytest.mark.django_db

STOPPED_WHY = "转到校外机构继续学业辅导，还需两个月。"


def _evaluated(cast, case) -> Case:
    services_records.evaluation_record(
        actor=cast.counselor, case=case, evaluated_on=timezone.localdate(), student_rating=8
    )
    return case


def _measures(case) -> tuple[PlanMeasure, PlanMeasure]:
    individual = PlanMeasure.objects.get(plan__case=case, kind=PlanMeasure.Kind.INDIVIDUAL)
    tutoring = PlanMeasure.objects.get(plan__case=case, kind=PlanMeasure.Kind.TUTORING)
    return individual, tutoring


def _statuses(case) -> list[tuple[str, str]]:
    return [(m.status, m.end_note) for m in _measures(case)]


def test_each_open_measure_keeps_the_end_state_the_counselor_gives_it(cast):
    case = _evaluated(cast, case_at(cast, "active"))
    individual, tutoring = _measures(case)

    services_records.case_request_closure(
        actor=cast.counselor,
        case=case,
        closing_summary="情况好转。",
        measure_ends={
            individual.pk: (PlanMeasure.Status.DONE, ""),
            tutoring.pk: (PlanMeasure.Status.STOPPED, STOPPED_WHY),
        },
    )
    services_records.case_confirm_closure(actor=cast.director, case=case)

    case.refresh_from_db()
    assert case.state == Case.State.CLOSED
    assert _statuses(case) == [("done", ""), ("stopped", STOPPED_WHY)]


@pytest.mark.parametrize(
    "ends, message",
    [
        (lambda i, t: {i.pk: ("done", "")}, "说明每项措施的结果"),
        (lambda i, t: {i.pk: ("done", ""), t.pk: ("not_done", " ")}, "说明原因"),
        (lambda i, t: {i.pk: ("done", ""), t.pk: ("stopped", "")}, "说明原因"),
        (lambda i, t: {i.pk: ("done", ""), t.pk: ("ongoing", "")}, "说明每项措施的结果"),
    ],
    ids=["a measure left out", "not done without why", "stopped without why", "still ongoing"],
)
def test_closing_without_a_real_end_state_for_each_measure_is_refused(cast, ends, message):
    case = _evaluated(cast, case_at(cast, "active"))

    with pytest.raises(ValidationError, match=message):
        services_records.case_request_closure(
            actor=cast.counselor,
            case=case,
            closing_summary="情况好转。",
            measure_ends=ends(*_measures(case)),
        )

    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE and case.closing_summary == ""
    assert _statuses(case) == [("planned", ""), ("planned", "")]


def test_confirming_a_closure_marks_no_open_measure_done(cast):
    """A case sent to closing before measures had end states is not closed with them open."""
    case = case_at(cast, "closing")
    PlanMeasure.objects.filter(plan__case=case).update(status=PlanMeasure.Status.ONGOING)

    with pytest.raises(ValidationError, match="说明每项措施的结果"):
        services_records.case_confirm_closure(actor=cast.director, case=case)

    case.refresh_from_db()
    assert case.state == Case.State.CLOSING
    assert _statuses(case) == [("ongoing", ""), ("ongoing", "")]


def test_the_closing_page_asks_how_each_measure_ended_and_keeps_what_was_typed(
    client, cast, signed_in
):
    case = _evaluated(cast, case_at(cast, "active"))
    individual, tutoring = _measures(case)
    signed_in(cast.counselor)
    url = reverse("cases:case_close", args=[case.pk])

    page = client.get(url).content.decode()
    assert "每周一次个体辅导" in page and "数学学业辅导" in page
    refused = client.post(
        url,
        {
            "closing_summary": "目标基本达成。",
            f"measure_{individual.pk}": "done",
            f"measure_{tutoring.pk}": "not_done",
        },
    )

    assert refused.status_code == 400
    assert "说明原因" in refused.content.decode() and "目标基本达成。" in refused.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE
    assert _statuses(case) == [("planned", ""), ("planned", "")]

    taken = client.post(
        url,
        {
            "closing_summary": "目标基本达成。",
            f"measure_{individual.pk}": "done",
            f"measure_{tutoring.pk}": "not_done",
            f"measure_{tutoring.pk}_reason": "家长未能配合，辅导没有开始。",
        },
    )

    assert taken.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.CLOSING
    assert _statuses(case) == [("done", ""), ("not_done", "家长未能配合，辅导没有开始。")]


def test_the_archived_file_shows_how_each_measure_ended(client, cast, signed_in):
    case = _evaluated(cast, case_at(cast, "active"))
    individual, tutoring = _measures(case)
    services_records.case_request_closure(
        actor=cast.counselor,
        case=case,
        closing_summary="情况好转。",
        measure_ends={
            individual.pk: (PlanMeasure.Status.DONE, ""),
            tutoring.pk: (PlanMeasure.Status.STOPPED, STOPPED_WHY),
        },
    )
    services_records.case_confirm_closure(actor=cast.director, case=case)
    services_records.case_archive(actor=cast.director, case=case, semester=cast.semester)
    signed_in(cast.director)

    page = client.get(
        reverse("cases:student_file", kwargs={"student_pk": cast.student_record.pk})
    ).content.decode()

    assert "已停止" in page and STOPPED_WHY in page
