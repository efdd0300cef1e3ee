"""The duty log (值班记录): one per shift, by its person, not before it starts; the director
and the supervision group see the logs and the duties still without one."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.rooms.factories import (
    RoomFactory,
    in_days,
    make_log,
    make_shift,
    term_around_today,
)
from xinqiao.core.models import AccessLog
from xinqiao.rooms.duty_log import selectors, services
from xinqiao.rooms.models import DutyLog, Intake

pytestmark = pytest.mark.django_db

T = datetime.time
SECRET = "初二学生哭着来访，提到不想活了"


@pytest.fixture
def term(cast):
    return term_around_today(cast.semester)


@pytest.fixture
def past_shift(cast, term):
    return make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(-1))


def write(cast, shift, **fields):
    values = {"arrived_at": T(12, 10), "calls_received": 3, "visitors": 1}
    values.update(fields)
    return services.duty_log_write(actor=cast.duty, shift=shift, **values)


def test_the_person_on_duty_writes_the_log_and_lateness_shows(cast, past_shift):
    log = write(cast, past_shift, unusual=SECRET, handover="明天下午有预约")
    assert (log.calls_received, log.visitors, log.late_minutes) == (3, 1, 10)
    assert log.written_by == cast.duty
    on_time = make_shift(
        school=cast.school, semester=past_shift.semester, user=cast.duty, day=in_days(-2)
    )
    assert write(cast, on_time, arrived_at=T(11, 55)).late_minutes == 0


def test_a_log_is_written_once(client, cast, past_shift):
    first = write(cast, past_shift)
    with pytest.raises(ValidationError, match="此次值班已有值班记录"):
        write(cast, past_shift, calls_received=9)
    assert DutyLog.objects.get(shift=past_shift).calls_received == 3
    sign_in(client, cast.duty)
    response = client.get(reverse("rooms:duty_log_write", args=[past_shift.pk]))
    assert response.status_code == 302
    assert response.url == reverse("rooms:duty_log_detail", args=[first.pk])


def test_a_log_is_not_written_for_a_future_shift(client, cast, term):
    future = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(2))
    with pytest.raises(ValidationError, match="值班尚未开始"):
        write(cast, future)
    assert not DutyLog.objects.exists()
    sign_in(client, cast.duty)
    response = client.post(
        reverse("rooms:duty_log_write", args=[future.pk]),
        {"arrived_at": "12:00", "calls_received": 2, "visitors": 0, "appointments_registered": 0},
    )
    assert response.status_code == 400
    assert 'value="2"' in response.content.decode()  # what was typed is kept
    assert not DutyLog.objects.exists()


@pytest.mark.parametrize("role", ["counselor", "director"])
def test_a_log_is_written_only_for_ones_own_shift(client, cast, past_shift, role):
    sign_in(client, getattr(cast, role))
    url = reverse("rooms:duty_log_write", args=[past_shift.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {"arrived_at": "12:00", "calls_received": 0, "visitors": 0, "appointments_registered": 0},
    )
    assert response.status_code == 403
    assert not DutyLog.objects.exists()


def test_the_form_starts_from_the_calls_and_visits_recorded_during_the_duty(
    client, cast, past_shift
):
    for channel in ("phone", "phone", "walk_in"):
        Intake.objects.create(
            school=cast.school,
            shift=past_shift,
            received_by=cast.duty,
            channel=channel,
            caller_kind="student",
            concern="考试焦虑",
        )
    defaults = selectors.duty_log_defaults(past_shift)
    assert (defaults["calls_received"], defaults["visitors"]) == (2, 1)
    sign_in(client, cast.duty)
    response = client.post(
        reverse("rooms:duty_log_write", args=[past_shift.pk]),
        {
            "arrived_at": "12:20",
            "calls_received": 2,
            "visitors": 1,
            "appointments_registered": 1,
            "unusual": SECRET,
            "handover": "转交王老师跟进",
        },
    )
    assert response.status_code == 302
    log = DutyLog.objects.get(shift=past_shift)
    assert (log.late_minutes, log.unusual, log.appointments_registered) == (20, SECRET, 1)


def test_only_the_director_reads_what_was_unusual_and_the_read_is_recorded(
    client, cast, past_shift
):
    log = write(cast, past_shift, unusual=SECRET)
    url = reverse("rooms:duty_log_detail", args=[log.pk])
    sign_in(client, cast.director)
    assert SECRET in client.get(url).content.decode()
    assert AccessLog.objects.filter(
        actor_id=cast.director.pk, object_type="rooms.DutyLog", object_id=str(log.pk)
    ).exists()
    for reader in (cast.supervisor, cast.duty):
        sign_in(client, reader)
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
        assert 'data-testid="unusual-hidden"' in response.content.decode()
    for outsider in (cast.counselor, cast.principal, cast.outsider):
        sign_in(client, outsider)
        assert client.get(url).status_code in (403, 404)


def test_the_log_list_shows_lateness_to_the_director_and_the_supervisor(client, cast, past_shift):
    log = write(cast, past_shift, arrived_at=T(12, 25), unusual=SECRET)
    for reader in (cast.director, cast.supervisor):
        sign_in(client, reader)
        response = client.get(reverse("rooms:duty_log_list"))
        assert [entry.pk for entry in response.context["page"]] == [log.pk]
        body = response.content.decode()
        assert "<mark>25</mark>" in body
        assert SECRET not in body


def test_missing_logs_are_past_published_staffed_shifts_without_a_log(cast, term):
    missing = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(-1))
    logged = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(-2))
    make_log(shift=logged)
    make_shift(school=cast.school, semester=term, user=None, day=in_days(-3))  # a gap
    make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(1))  # ahead
    make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(-4), published=False)
    now = timezone.now()
    assert list(selectors.missing_logs(school_ids=[cast.school.pk], now=now)) == [missing]
    assert not selectors.missing_logs(school_ids=[cast.other_school.pk], now=now).exists()


def test_a_shift_of_today_is_missing_its_log_only_once_it_is_over(cast, term):
    shift = make_shift(
        school=cast.school,
        semester=term,
        user=cast.duty,
        day=in_days(0),
        starts_at=T(10),
        ends_at=T(11),
    )
    day = shift.date
    during = timezone.make_aware(datetime.datetime.combine(day, T(10, 30)))
    after = timezone.make_aware(datetime.datetime.combine(day, T(11, 0)))
    assert not selectors.missing_logs(school_ids=[cast.school.pk], now=during).exists()
    assert list(selectors.missing_logs(school_ids=[cast.school.pk], now=after)) == [shift]


def test_the_missing_logs_page_filters_by_week_and_room_and_pages(client, cast, term):
    term = term_around_today(term, weeks_before=8)
    care = RoomFactory(school=cast.school, name="关爱室")
    room = RoomFactory(school=cast.school)
    last_week = in_days(-7)
    for hour in range(8, 20):  # 12 shifts of the counseling room a week ago
        make_shift(
            school=cast.school,
            semester=term,
            user=cast.duty,
            day=last_week,
            room=room,
            starts_at=T(hour),
            ends_at=T(hour, 50),
        )
    for days_ago in range(14, 14 + 25):  # 25 more shifts further back, in the care room
        make_shift(
            school=cast.school, semester=term, user=cast.duty, day=in_days(-days_ago), room=care
        )
    sign_in(client, cast.supervisor)
    url = reverse("rooms:duty_log_missing")
    response = client.get(url, {"semester": term.pk})
    assert response.context["page"].paginator.count == 37
    assert len(response.context["page"].object_list) == 30
    assert len(client.get(url, {"semester": term.pk, "page": 2}).context["page"]) == 7
    week = term.week_of(last_week)
    response = client.get(url, {"semester": term.pk, "week": week, "room": room.pk})
    assert response.context["page"].paginator.count == 12
    response = client.get(url, {"semester": term.pk, "room": care.pk})
    assert response.context["page"].paginator.count == 25


def test_the_log_list_costs_the_same_queries_for_more_logs(client, cast, term):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, cast.director)
    made = 0

    def queries_with(count: int) -> int:
        nonlocal made
        for _ in range(count):
            made += 1
            make_log(
                shift=make_shift(
                    school=cast.school, semester=term, user=cast.duty, day=in_days(-made)
                ),
                calls_received=1,
            )
        client.get(reverse("rooms:duty_log_list"))  # the session's first-request work, not counted
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("rooms:duty_log_list")).status_code == 200
        return len(captured)

    assert queries_with(2) == queries_with(8)
