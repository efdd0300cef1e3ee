"""Issue 11 item 4: pages of confidential material have a query budget (no query per check).

Each page is opened by the person who works with it, with enough rows that a query per row
or per permission check would show.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.factories import case_at
from tests.rooms.appointment_factories import make_intake
from xinqiao.cases import services_records
from xinqiao.cases.models import Case
from xinqiao.crisis.services import raise_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_case(cast):
    """An active case with three session records, a stage summary and an evaluation."""
    case = case_at(cast, "active")
    for number in range(3):
        services_records.session_record(
            actor=cast.counselor,
            case=case,
            kind="individual",
            held_at=case.opened_at,
            place="心理咨询室",
            problem=f"第{number + 1}次：睡眠不好",
            measures_taken="放松训练",
            student_agreed=number == 0,
        )
    return case


def budget(django_assert_max_num_queries, client, user, url: str, limit: int):
    from tests.conftest import sign_in

    sign_in(client, user)
    client.get(url)  # the first request of a session warms what every page shares
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_the_case_page_runs_at_most_15_queries(
    cast, busy_case, client, django_assert_max_num_queries
):
    """Issue 11: the case with its counselors, then one query per kind of content the page
    shows (assessment categories, plans, measures, their steps, evaluations, conferences).
    Every signed-in page pays the session, the user (with the unread count of the bell), the
    second factor and the roles, and a page of case material the three writes of the access
    log. The records, summaries, referrals and consents load when the reader reaches them."""
    url = reverse("cases:case_detail", kwargs={"pk": busy_case.pk})
    budget(django_assert_max_num_queries, client, cast.counselor, url, 15)


@pytest.mark.parametrize("part", ["cases:case_records_part", "cases:case_links_part"])
def test_the_parts_of_the_case_page_run_at_most_11_queries(
    cast, busy_case, client, django_assert_max_num_queries, part
):
    url = reverse(part, kwargs={"pk": busy_case.pk})
    budget(django_assert_max_num_queries, client, cast.counselor, url, 11)


def test_the_case_list_does_not_grow_with_the_cases(cast, client, django_assert_max_num_queries):
    for state in ("intake", "assessing", "active", "closing"):
        case_at(cast, state)
    assert Case.objects.count() == 4
    budget(django_assert_max_num_queries, client, cast.director, reverse("cases:case_list"), 8)


def test_the_alert_page_and_list(cast, client, django_assert_max_num_queries):
    alerts = [
        raise_alert(
            actor=cast.duty,
            school=cast.school,
            risk_level="high",
            source="duty_phone",
            evidence="电话里说不想活了",
            student=cast.student_record,
        )
        for _ in range(3)
    ]
    detail = reverse("crisis:alert_detail", kwargs={"pk": alerts[0].pk})
    budget(django_assert_max_num_queries, client, cast.counselor, detail, 11)
    budget(django_assert_max_num_queries, client, cast.counselor, reverse("crisis:alert_list"), 8)


def test_the_intake_list_and_an_intake(cast, client, django_assert_max_num_queries):
    intakes = [make_intake(cast.school, cast.duty) for _ in range(4)]
    detail = reverse("rooms:intake_detail", kwargs={"pk": intakes[0].pk})
    budget(django_assert_max_num_queries, client, cast.director, detail, 12)
    budget(django_assert_max_num_queries, client, cast.director, reverse("rooms:intake_list"), 10)


def test_the_student_file(cast, busy_case, client, django_assert_max_num_queries):
    """The whole file of a student with a case: its cases, records and consents."""
    url = reverse("cases:student_file", kwargs={"student_pk": cast.student_record.pk})
    budget(django_assert_max_num_queries, client, cast.counselor, url, 26)


def test_the_crisis_board_does_not_grow_with_the_alerts(
    cast, client, django_assert_max_num_queries
):
    """The board: the open alerts with their escalation and student in one query, whatever
    their number; the network reports' and the letterbox's sections bring their own few."""
    for number, level in enumerate(("crisis", "high", "concern", "crisis", "high", "concern")):
        raise_alert(
            actor=cast.duty,
            school=cast.school,
            risk_level=level,
            source="duty_phone",
            evidence="电话里说不想活了",
            student=cast.student_record,
            raise_key=f"board-{number}",
        )
    budget(django_assert_max_num_queries, client, cast.director, reverse("crisis:board"), 16)
