"""Rooms and their opening hours; criterion 14 (seed 004): at least 10 open hours a week."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import sign_in
from tests.rooms.factories import (
    OpeningPeriodFactory,
    RoomFactory,
    in_days,
    make_log,
    make_shift,
    term_around_today,
)
from xinqiao.people.models import Holiday, Semester
from xinqiao.rooms import selectors, services
from xinqiao.rooms.models import DutyShift, OpeningPeriod, Room

pytestmark = pytest.mark.django_db

T = datetime.time


@pytest.fixture
def semester(cast) -> Semester:
    """Monday 2026-08-31 (week 1) to Friday 2026-10-09 (week 6), the National Day week off."""
    semester = cast.semester
    semester.starts_on = datetime.date(2026, 9, 2)  # a Wednesday: week 1 is short by design
    semester.ends_on = datetime.date(2026, 10, 9)
    semester.save()
    Holiday.objects.create(
        semester=semester,
        name="国庆节",
        starts_on=datetime.date(2026, 10, 1),
        ends_on=datetime.date(2026, 10, 7),
    )
    return semester


def open_daily(room: Room, semester: Semester, hours: int = 2) -> None:
    """Open Monday to Friday, 12:00 for ``hours`` hours (10 hours a week with 2)."""
    for weekday in range(5):
        OpeningPeriodFactory(
            room=room, semester=semester, weekday=weekday, ends_at=T(12 + hours, 0)
        )


def test_weekly_open_hours_count_holidays_and_days_outside_the_semester_as_closed(cast, semester):
    room = RoomFactory(school=cast.school)
    open_daily(room, semester)
    weeks = {w.week: w for w in selectors.weekly_open_hours(room=room, semester=semester)}
    # Week 1 starts on Wednesday; weeks 5 and 6 lose 1–2 Oct and 5–7 Oct to National Day.
    assert [weeks[n].hours for n in range(1, 7)] == [6.0, 10.0, 10.0, 10.0, 6.0, 4.0]


def test_a_week_with_holidays_asks_only_for_its_school_days_share(cast, semester):
    """Issue 12 item 25: holiday weeks are not short weeks; a week is held to its school days."""
    room = RoomFactory(school=cast.school)
    open_daily(room, semester)
    weeks = selectors.weekly_open_hours(room=room, semester=semester)
    assert [w.target for w in weeks] == [6.0, 10.0, 10.0, 10.0, 6.0, 4.0]
    assert selectors.short_weeks(room=room, semester=semester) == []

    OpeningPeriod.objects.filter(room=room, weekday=4).delete()  # no Friday any more
    # Week 5's Friday is a holiday anyway: Monday to Wednesday give the 6 hours it asks.
    assert [w.week for w in selectors.short_weeks(room=room, semester=semester)] == [1, 2, 3, 4, 6]


def test_a_week_of_holidays_is_not_measured(cast, semester):
    Holiday.objects.create(
        semester=semester,
        name="秋假",
        starts_on=datetime.date(2026, 9, 14),
        ends_on=datetime.date(2026, 9, 18),
    )
    room = RoomFactory(school=cast.school)
    open_daily(room, semester)
    week = selectors.weekly_open_hours(room=room, semester=semester)[2]
    assert (week.hours, week.target, week.short) == (0.0, None, False)


def test_the_care_room_has_no_weekly_target_unless_one_is_configured(cast, semester, settings):
    """Issue 12 item 25: seed 004 item 14 holds the counseling room, not the care room."""
    care = RoomFactory(school=cast.school, name="关爱室", kind=Room.Kind.CARE)
    OpeningPeriodFactory(room=care, semester=semester, weekday=0)  # one hour on Mondays
    assert selectors.weekly_hours_target(care) is None
    assert selectors.short_weeks(room=care, semester=semester) == []

    settings.CARE_ROOM_WEEKLY_HOURS = 4
    assert selectors.weekly_hours_target(care) == 4
    assert [w.week for w in selectors.short_weeks(room=care, semester=semester)] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


def test_a_full_week_of_ten_hours_meets_the_standard(cast, semester):
    room = RoomFactory(school=cast.school)
    open_daily(room, semester)
    week = selectors.weekly_open_hours(room=room, semester=semester)[2]
    assert week.hours == 10.0 and not week.short


def test_a_group_counseling_room_is_shown_but_not_checked(cast, semester):
    room = RoomFactory(school=cast.school, name="团体辅导室", kind=Room.Kind.GROUP)
    OpeningPeriodFactory(room=room, semester=semester)
    assert selectors.short_weeks(room=room, semester=semester) == []
    assert selectors.weekly_open_hours(room=room, semester=semester)[2].hours == 1.0


def test_the_rooms_page_flags_a_room_with_short_weeks(client, cast, semester):
    short = RoomFactory(school=cast.school, name="心理咨询室")
    OpeningPeriodFactory(room=short, semester=semester)  # one hour a week
    enough = RoomFactory(school=cast.school, name="关爱室", kind=Room.Kind.CARE)
    open_daily(enough, semester, hours=5)  # even the two-day week 6 has 10 hours
    sign_in(client, cast.principal)
    response = client.get(reverse("rooms:room_list"))
    assert response.status_code == 200
    summaries = {s.room.name: s for s in response.context["summaries"]}
    assert [w.week for w in summaries["心理咨询室"].short_weeks] == [1, 2, 3, 4, 5, 6]
    assert summaries["关爱室"].short_weeks == []
    body = response.content.decode()
    row = body.split(f'data-testid="room-{short.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="short-weeks"' in row
    enough_row = body.split(f'data-testid="room-{enough.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="short-weeks"' not in enough_row
    assert "心理咨询室每个教学周须开放不少于 10 小时" in body


def test_the_room_page_shows_each_week_and_warns_of_short_ones(client, cast, semester):
    room = RoomFactory(school=cast.school)
    open_daily(room, semester, hours=1)
    sign_in(client, cast.counselor)
    response = client.get(reverse("rooms:room_detail", args=[room.pk]))
    body = response.content.decode()
    assert 'data-testid="short-weeks-warning"' in body
    assert [w.week for w in response.context["short_weeks"]] == [1, 2, 3, 4, 5, 6]
    assert 'data-testid="week-3"' in body
    assert body.count('data-testid="week-target"') == 6


def test_the_director_sets_up_a_room_and_a_duplicate_name_keeps_what_was_typed(client, cast):
    RoomFactory(school=cast.school, name="心理咨询室")
    sign_in(client, cast.director)
    data = {
        "school": cast.school.pk,
        "kind": Room.Kind.CARE,
        "name": "心理咨询室",
        "location": "教学楼一楼",
        "spaces": "谈心区",
        "equipment": "沙发",
        "capacity": 2,
        "is_active": "on",
    }
    response = client.post(reverse("rooms:room_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert "教学楼一楼" in response.content.decode()
    data["name"] = "关爱室"
    response = client.post(reverse("rooms:room_create"), data)
    assert response.status_code == 302
    room = Room.objects.get(school=cast.school, name="关爱室")
    assert (room.kind, room.spaces, room.capacity) == (Room.Kind.CARE, "谈心区", 2)


def test_the_administrator_sets_up_rooms_for_any_school(cast):
    room = services.room_create(
        actor=cast.admin, school=cast.other_school, kind=Room.Kind.COUNSELING, name="心语室"
    )
    assert room.school == cast.other_school


def test_a_director_cannot_set_up_rooms_at_another_school(client, cast):
    """The page offers the director's own schools only: another school is refused."""
    sign_in(client, cast.director)
    response = client.post(
        reverse("rooms:room_create"),
        {"school": cast.other_school.pk, "kind": Room.Kind.CARE, "name": "关爱室", "capacity": 1},
    )
    assert response.status_code == 400
    assert "school" in response.context["form"].errors
    assert not Room.objects.exists()


def test_a_director_of_another_school_cannot_open_the_rooms_pages(client, cast, other_school):
    from tests.factories import make_user

    room = RoomFactory(school=cast.school)
    sign_in(client, make_user("director", school=other_school, username="director2"))
    assert client.get(reverse("rooms:room_detail", args=[room.pk])).status_code == 404
    assert client.get(reverse("rooms:opening_edit", args=[room.pk])).status_code == 404


def test_the_director_edits_a_room(client, cast):
    room = RoomFactory(school=cast.school)
    sign_in(client, cast.director)
    response = client.post(
        reverse("rooms:room_edit", args=[room.pk]),
        {"kind": Room.Kind.COUNSELING, "name": "心灵驿站", "capacity": 3, "equipment": "沙盘"},
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.name, room.capacity, room.equipment, room.is_active) == (
        "心灵驿站",
        3,
        "沙盘",
        False,
    )


def test_opening_periods_of_one_weekday_cannot_overlap(client, cast, semester):
    room = RoomFactory(school=cast.school)
    services.opening_period_add(
        actor=cast.director, room=room, semester=semester, weekday=0, starts_at=T(12), ends_at=T(13)
    )
    with pytest.raises(ValidationError, match="与时段星期一 12:00–13:00重叠"):
        services.opening_period_add(
            actor=cast.director,
            room=room,
            semester=semester,
            weekday=0,
            starts_at=T(12, 30),
            ends_at=T(14),
        )
    assert [p.hours for p in room.opening_periods.all()] == [1.0]
    sign_in(client, cast.director)
    url = reverse("rooms:opening_edit", args=[room.pk])
    response = client.post(
        url, {"semester": semester.pk, "weekday": 0, "starts_at": "12:30", "ends_at": "14:00"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"]
    assert 'value="12:30"' in response.content.decode()
    response = client.post(
        url, {"semester": semester.pk, "weekday": 0, "starts_at": "14:00", "ends_at": "13:00"}
    )
    assert response.status_code == 400 and response.context["form"].errors["ends_at"]
    response = client.post(
        url, {"semester": semester.pk, "weekday": 0, "starts_at": "16:00", "ends_at": "17:30"}
    )
    assert response.status_code == 302
    assert sorted(p.hours for p in room.opening_periods.all()) == [1.0, 1.5]


def test_a_semester_of_another_school_is_refused(cast, other_school):
    room = RoomFactory(school=cast.school)
    foreign = Semester.objects.create(
        school=other_school,
        school_year=2026,
        term=1,
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 20),
    )
    with pytest.raises(ValidationError, match="该学期不属于功能室所在的学校"):
        services.opening_period_add(
            actor=cast.director,
            room=room,
            semester=foreign,
            weekday=0,
            starts_at=T(12),
            ends_at=T(13),
        )
    assert not OpeningPeriod.objects.exists()


def test_removing_a_period_removes_its_future_shifts_but_keeps_records(cast):
    semester = term_around_today(cast.semester)
    room = RoomFactory(school=cast.school)
    period = OpeningPeriodFactory(room=room, semester=semester)
    future = make_shift(school=cast.school, semester=semester, user=cast.duty, day=in_days(7))
    logged = make_shift(school=cast.school, semester=semester, user=cast.duty, day=in_days(-7))
    for shift in (future, logged):
        shift.period = period
        shift.save()
    make_log(shift=logged)
    removed = services.opening_period_remove(actor=cast.director, period=period)
    assert removed == 1
    assert not DutyShift.objects.filter(pk=future.pk).exists()
    assert DutyShift.objects.get(pk=logged.pk).period is None
    assert not OpeningPeriod.objects.filter(pk=period.pk).exists()


def test_opening_hours_are_copied_from_another_semester(cast, semester):
    room = RoomFactory(school=cast.school)
    open_daily(room, semester)
    spring = Semester.objects.create(
        school=cast.school,
        school_year=2026,
        term=2,
        starts_on=datetime.date(2027, 2, 22),
        ends_on=datetime.date(2027, 7, 9),
    )
    OpeningPeriodFactory(room=room, semester=spring, weekday=0, starts_at=T(12, 30), ends_at=T(13))
    copied = services.opening_periods_copy(
        actor=cast.director, room=room, source=semester, target=spring
    )
    assert copied == 4  # Monday clashes with the period already there
    assert spring.opening_periods.filter(room=room).count() == 5


def test_the_rooms_page_costs_the_same_queries_for_more_rooms(client, cast, semester):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, cast.director)

    def queries_with(count: int) -> int:
        for number in range(count):
            room = RoomFactory(school=cast.school, name=f"咨询室{number}")
            open_daily(room, semester)
        client.get(reverse("rooms:room_list"))  # the session's first-request work, not counted
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("rooms:room_list")).status_code == 200
        return len(captured)

    assert queries_with(2) == queries_with(6)
