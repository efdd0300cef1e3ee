"""The plan page (issue 12 item 27): what a browser sends for the measure rows it shows. An
untouched blank row is dropped; an existing measure left as it was is kept."""

from __future__ import annotations

import re

import pytest

from tests.cases.factories import case_at
from xinqiao.cases.models import SupportPlan

pytestmark = pytest.mark.django_db


def _as_a_browser_sends_it(page: str) -> dict[str, str]:
    """The values a browser submits for the plan form as the page shows it: each input's value,
    each textarea's text, each select's selected option (or its first one when none is)."""
    data = {}
    for name, value in re.findall(
        r'<input type="(?:hidden|text|number|date)" name="([^"]+)"'
        r'(?: value="([^"]*)")?',
        page,
    ):
        data[name] = value
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>\s*(.*?)</textarea>', page, re.S):
        data[name] = text
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        values = re.findall(r'<option value="([^"]*)"( selected)?', options)
        data[name] = next((v for v, selected in values if selected), values[0][0])
    return data


def test_revising_a_plan_keeps_its_measures_and_ignores_the_untouched_blank_rows(
    client, cast, signed_in
):
    case = case_at(cast, "active")
    signed_in(cast.counselor)
    page = client.get(f"/cases/{case.pk}/plan/").content.decode()
    data = _as_a_browser_sends_it(page)
    assert data["measures-TOTAL_FORMS"] == "4"  # the two measures and two blank rows
    data["goals"] = "三个月内恢复正常上学。"
    data["change_reason"] = "学业辅导延长两个月。"

    response = client.post(f"/cases/{case.pk}/plan/", data)

    assert response.status_code == 302, response.content.decode()
    draft = case.plans.get(state=SupportPlan.State.DRAFT)
    assert draft.goals == "三个月内恢复正常上学。"
    assert [m.description for m in draft.measures.all()] == ["每周一次个体辅导", "数学学业辅导"]


def test_a_new_plan_with_one_measure_filled_in_is_saved_without_the_blank_rows(
    client, cast, signed_in
):
    case = case_at(cast, "assessing")
    signed_in(cast.counselor)
    data = _as_a_browser_sends_it(client.get(f"/cases/{case.pk}/plan/").content.decode())
    data.update(
        {
            "goals": "恢复正常上学。",
            "measures-0-kind": "individual",
            "measures-0-description": "每周一次个体辅导",
            "measures-0-responsible": str(cast.counselor.pk),
        }
    )

    assert client.post(f"/cases/{case.pk}/plan/", data).status_code == 302
    assert case.plans.get().measures.count() == 1


def test_emptying_an_existing_measure_drops_it_from_the_revised_plan(client, cast, signed_in):
    case = case_at(cast, "active")
    signed_in(cast.counselor)
    data = _as_a_browser_sends_it(client.get(f"/cases/{case.pk}/plan/").content.decode())
    data["change_reason"] = "不再需要学业辅导。"
    for field in ("kind", "description", "responsible", "responsible_name", "starts_on"):
        data[f"measures-1-{field}"] = ""

    assert client.post(f"/cases/{case.pk}/plan/", data).status_code == 302
    draft = case.plans.get(state=SupportPlan.State.DRAFT)
    assert [m.description for m in draft.measures.all()] == ["每周一次个体辅导"]


def test_a_half_filled_measure_is_refused_and_the_page_keeps_what_was_typed(
    client, cast, signed_in
):
    case = case_at(cast, "active")
    signed_in(cast.counselor)
    data = _as_a_browser_sends_it(client.get(f"/cases/{case.pk}/plan/").content.decode())
    data["change_reason"] = "增加家访。"
    data["measures-2-kind"] = "home_visit"
    data["measures-2-description"] = "家访一次"

    response = client.post(f"/cases/{case.pk}/plan/", data)

    assert response.status_code == 400
    assert "家访一次" in response.content.decode()
    assert not case.plans.filter(state=SupportPlan.State.DRAFT).exists()


def test_the_first_row_of_a_new_plan_left_with_only_its_start_date_is_dropped(
    client, cast, signed_in
):
    case = case_at(cast, "assessing")
    signed_in(cast.counselor)
    data = _as_a_browser_sends_it(client.get(f"/cases/{case.pk}/plan/").content.decode())
    assert data["measures-0-starts_on"]  # the page starts the first measure today
    data.update(
        {
            "goals": "恢复正常上学。",
            "measures-1-kind": "individual",
            "measures-1-description": "每周一次个体辅导",
            "measures-1-responsible": str(cast.counselor.pk),
            "measures-1-starts_on": data["measures-0-starts_on"],
        }
    )

    assert client.post(f"/cases/{case.pk}/plan/", data).status_code == 302
    assert [m.description for m in case.plans.get().measures.all()] == ["每周一次个体辅导"]
