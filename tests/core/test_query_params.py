"""Ids and days in a query string (issue 12 item 14): bad input answers 400, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import BadRequest

from xinqiao.core.params import LAST_DAY, MAX_ID, parse_id

HUGE = "999999999999999999999"


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), "0", "²", "١", "-3", "3.0", "abc"])
def test_a_value_that_is_no_id_is_a_bad_request(value):
    with pytest.raises(BadRequest):
        parse_id(value)


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("42", 42)])
def test_an_absent_value_is_none_and_an_id_is_read(value, expected):
    assert parse_id(value) == expected
    assert parse_id(str(MAX_ID)) == MAX_ID


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("director", f"/cases/archive/?semester={HUGE}"),
        ("director", "/cases/archive/?semester=²"),
        ("director", "/rooms/appointments/?day=9999-12-31"),
        ("director", f"/rooms/appointments/?counselor={HUGE}"),
        ("director", "/rooms/calendar/?week=0001-01-01"),
        ("director", "/rooms/appointments/?day=2026-02-30"),
        ("director", f"/classes/?grade={HUGE}"),
    ],
)
def test_a_value_no_database_or_calendar_holds_answers_400(signed_in, cast, who, path):
    response = signed_in(getattr(cast, who)).get(path)
    assert response.status_code == 400
    assert "网址中有无法识别的参数" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_slot_filter_keeps_a_day_outside_the_calendar_and_says_why(signed_in, cast, day):
    response = signed_in(cast.student).get("/rooms/book/", {"day": day})
    assert response.status_code == 400
    assert response.context["filter_form"]["day"].value() == day
    assert response.context["filter_form"].errors["day"]


@pytest.mark.django_db
def test_the_api_refuses_a_day_outside_the_calendar(signed_in, cast):
    client = signed_in(cast.student)
    day = (LAST_DAY + datetime.timedelta(days=1)).isoformat()
    assert client.get("/api/rooms/slots", {"day": "9999-12-31"}).status_code == 422
    assert client.get("/api/rooms/slots", {"day": day}).status_code == 422
    assert client.get("/api/rooms/slots", {"day": LAST_DAY.isoformat()}).status_code == 200
