"""The duty roster: the weekly plan, generation, gaps and double bookings, single changes,
publishing (with the criterion-14 warning), own duties and the .xlsx for the door."""

from __future__ import annotations

import csv
import datetime
import io
import os
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import sign_in
from tests.factories import make_user
from tests.rooms.factories import (
    OpeningPeriodFactory,
    RoomFactory,
    in_days,
    make_shift,
    monday_of,
    term_around_today,
    today,
)
from xinqiao.core.models import Notification
from xinqiao.people.models import Holiday
from xinqiao.rooms.models import DutyPattern, DutyShift
from xinqiao.rooms.roster import selectors, services

pytestmark = pytest.mark.django_db

T = datetime.time


@pytest.fixture
def term(cast):
    return term_around_today(cast.semester)


@pytest.fixture
def room(cast):
    return RoomFactory(school=cast.school)


def next_monday() -> datetime.date:
    return monday_of(today()) + datetime.timedelta(weeks=1)


def plan(cast, room, term, **by_weekday):
    """Open the room 12:00–13:00 on the given weekdays, each with its person."""
    periods = {}
    for weekday, user in by_weekday.items():
        period = OpeningPeriodFactory(room=room, semester=term, weekday=int(weekday[1:]))
        periods[period.pk] = user
    services.roster_plan_save(actor=cast.director, room=room, semester=term, plan=periods)


def test_generating_makes_one_shift_per_open_day_from_the_plan_and_skips_holidays(cast, room, term):
    plan(cast, room, term, d0=cast.duty, d2=cast.counselor)
    holiday = next_monday()
    Holiday.objects.create(semester=term, name="调休", starts_on=holiday, ends_on=holiday)
    since = next_monday()
    changes = services.roster_generate(actor=cast.director, room=room, semester=term, since=since)
    shifts = DutyShift.objects.filter(room=room)
    weeks = (term.ends_on - since).days // 7 + 1
    assert changes.created == shifts.count() == 2 * weeks - 1
    assert not shifts.filter(date=holiday).exists()
    assert set(shifts.filter(date__week_day=2).values_list("user", flat=True)) == {cast.duty.pk}
    assert set(shifts.filter(date__week_day=4).values_list("user", flat=True)) == {
        cast.counselor.pk
    }
    assert not shifts.filter(date__lt=since).exists()
    assert not shifts.filter(published=True).exists()


def test_generating_again_changes_nothing_and_keeps_changed_shifts(cast, room, term):
    plan(cast, room, term, d0=cast.duty)
    since = next_monday()
    services.roster_generate(actor=cast.director, room=room, semester=term, since=since)
    changed = DutyShift.objects.filter(room=room).order_by("date").first()
    services.shift_assign(actor=cast.director, shift=changed, user=cast.counselor)
    again = services.roster_generate(actor=cast.director, room=room, semester=term, since=since)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert again.kept == 1
    changed.refresh_from_db()
    assert (changed.user, changed.origin) == (cast.counselor, DutyShift.Origin.EXCEPTION)


def test_a_new_plan_updates_the_generated_shifts_it_owns(cast, room, term):
    plan(cast, room, term, d0=cast.duty)
    since = next_monday()
    services.roster_generate(actor=cast.director, room=room, semester=term, since=since)
    plan(cast, room, term, d0=cast.counselor)
    changes = services.roster_generate(actor=cast.director, room=room, semester=term, since=since)
    assert changes.updated == DutyShift.objects.filter(room=room).count()
    assert set(DutyShift.objects.filter(room=room).values_list("user", flat=True)) == {
        cast.counselor.pk
    }


def test_a_removed_period_takes_its_untouched_shifts_with_it_on_the_next_generation(
    cast, room, term
):
    plan(cast, room, term, d0=cast.duty, d1=cast.duty)
    since = next_monday()
    services.roster_generate(actor=cast.director, room=room, semester=term, since=since)
    room.opening_periods.get(weekday=1).delete()
    changes = services.roster_generate(actor=cast.director, room=room, semester=term, since=since)
    assert changes.removed > 0
    assert not DutyShift.objects.filter(room=room, date__week_day=3).exists()


def test_a_person_cannot_be_planned_in_two_overlapping_periods(cast, room, term):
    care = RoomFactory(school=cast.school, name="关爱室")
    first = OpeningPeriodFactory(room=room, semester=term, weekday=0)
    second = OpeningPeriodFactory(
        room=care, semester=term, weekday=0, starts_at=T(12, 30), ends_at=T(13, 30)
    )
    services.roster_plan_save(
        actor=cast.director, room=room, semester=term, plan={first.pk: cast.duty}
    )
    with pytest.raises(ValidationError, match="将在同一时间重复值班"):
        services.roster_plan_save(
            actor=cast.director, room=care, semester=term, plan={second.pk: cast.duty}
        )
    assert not second.patterns.exists()
    assert list(first.patterns.values_list("user", flat=True)) == [cast.duty.pk]


def test_only_duty_staff_counselors_and_directors_can_be_planned(cast, room, term):
    period = OpeningPeriodFactory(room=room, semester=term)
    with pytest.raises(ValidationError, match="在本校没有值班人员、心理教师或心理中心主任角色"):
        services.roster_plan_save(
            actor=cast.director, room=room, semester=term, plan={period.pk: cast.class_teacher}
        )
    assert not DutyPattern.objects.exists()


@pytest.mark.parametrize("role", ["counselor", "duty", "admin"])
def test_only_the_director_plans_the_roster(client, cast, room, term, role):
    period = OpeningPeriodFactory(room=room, semester=term)
    sign_in(client, getattr(cast, role))
    for name, data in (
        ("roster_plan", {"semester": term.pk, f"period-{period.pk}": cast.duty.pk}),
        ("roster_generate", {"semester": term.pk}),
        ("roster_publish", {"semester": term.pk}),
    ):
        response = client.post(reverse(f"rooms:{name}", args=[room.pk]), data)
        assert response.status_code == 403, name
    assert not DutyPattern.objects.exists()
    assert not DutyShift.objects.exists()


def test_a_person_busy_at_the_same_time_elsewhere_leaves_a_gap_not_an_error(cast, room, term):
    care = RoomFactory(school=cast.school, name="关爱室")
    day = next_monday()
    make_shift(school=cast.school, semester=term, user=cast.duty, day=day, room=care)
    plan(cast, room, term, d0=cast.duty)
    changes = services.roster_generate(actor=cast.director, room=room, semester=term, since=day)
    gap = DutyShift.objects.get(room=room, date=day)
    assert gap.user is None
    assert gap in changes.gaps


def test_double_bookings_with_different_start_times_are_found_and_shown(client, cast, room, term):
    care = RoomFactory(school=cast.school, name="关爱室")
    day = in_days(2)
    first = make_shift(school=cast.school, semester=term, user=cast.duty, day=day, room=room)
    second = make_shift(
        school=cast.school,
        semester=term,
        user=cast.duty,
        day=day,
        room=care,
        starts_at=T(12, 30),
        ends_at=T(13, 30),
    )
    apart = make_shift(
        school=cast.school, semester=term, user=cast.duty, day=day, room=care, starts_at=T(15)
    )
    found = selectors.double_bookings(DutyShift.objects.all())
    assert set(found) == {first, second}
    sign_in(client, cast.director)
    response = client.get(reverse("rooms:roster_issues"), {"semester": term.pk, "show": "double"})
    assert {s.pk for s in response.context["page"]} == {first.pk, second.pk}
    assert f'data-testid="issue-{apart.pk}"' not in response.content.decode()
    week = term.week_of(day)
    response = client.get(reverse("rooms:roster"), {"semester": term.pk, "week": week})
    assert response.content.decode().count('data-testid="double-booked"') == 2


def test_the_database_refuses_one_person_twice_at_the_same_start(cast, room, term):
    from django.db import IntegrityError, transaction

    care = RoomFactory(school=cast.school, name="关爱室")
    make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(2), room=room)
    with pytest.raises(IntegrityError, match="user_id"), transaction.atomic():
        DutyShift.objects.create(
            school=cast.school,
            semester=term,
            room=care,
            date=in_days(2),
            starts_at=T(12),
            ends_at=T(13),
            user=cast.duty,
        )
    assert not DutyShift.objects.filter(room=care).exists()


def test_gaps_are_listed_for_the_director(client, cast, room, term):
    gap = make_shift(school=cast.school, semester=term, user=None, day=in_days(4))
    make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(5))
    sign_in(client, cast.director)
    response = client.get(reverse("rooms:roster_issues"), {"semester": term.pk})
    assert [s.pk for s in response.context["page"]] == [gap.pk]


def test_changing_one_shift_refuses_a_person_who_is_busy_then(cast, room, term):
    care = RoomFactory(school=cast.school, name="关爱室")
    day = in_days(3)
    make_shift(
        school=cast.school,
        semester=term,
        user=cast.counselor,
        day=day,
        room=care,
        starts_at=T(12, 30),
    )
    shift = make_shift(school=cast.school, semester=term, user=cast.duty, day=day, room=room)
    with pytest.raises(ValidationError, match="该时段无法值班"):
        services.shift_assign(actor=cast.director, shift=shift, user=cast.counselor)
    shift.refresh_from_db()
    assert (shift.user, shift.origin) == (cast.duty, DutyShift.Origin.PATTERN)
    assert not Notification.objects.exists()
    services.shift_assign(actor=cast.director, shift=shift, user=cast.director)
    shift.refresh_from_db()
    assert (shift.user, shift.origin) == (cast.director, DutyShift.Origin.EXCEPTION)
    assert Notification.objects.filter(recipient=cast.duty).exists()
    assert Notification.objects.filter(recipient=cast.director).exists()


def test_the_director_changes_a_shift_in_the_page(client, cast, room, term):
    shift = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(3))
    sign_in(client, cast.director)
    url = reverse("rooms:shift_edit", args=[shift.pk])
    offered = client.get(url).context["people"]
    assert cast.counselor in offered and cast.duty not in offered
    assert cast.class_teacher not in offered
    assert client.post(url, {"user": cast.class_teacher.pk}).status_code == 400
    assert client.post(url, {"user": cast.counselor.pk}).status_code == 302
    shift.refresh_from_db()
    assert shift.user == cast.counselor


def test_staff_see_only_the_published_roster_and_the_director_sees_drafts(client, cast, room, term):
    published = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(1))
    draft = make_shift(
        school=cast.school, semester=term, user=cast.counselor, day=in_days(2), published=False
    )
    assert set(DutyShift.objects.for_user(cast.counselor)) == {published}
    assert set(DutyShift.objects.for_user(cast.director)) == {published, draft}
    assert not DutyShift.objects.for_user(cast.outsider).exists()
    sign_in(client, cast.counselor)
    week = term.week_of(in_days(1))
    body = client.get(reverse("rooms:roster"), {"week": week}).content.decode()
    assert f'data-testid="shift-{published.pk}"' in body
    if term.week_of(in_days(2)) == week:
        assert f'data-testid="shift-{draft.pk}"' not in body
    assert client.get(reverse("rooms:shift_edit", args=[draft.pk])).status_code in (403, 404)


def test_my_duties_lists_only_my_published_shifts(client, cast, room, term):
    mine = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(1))
    make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(2), published=False)
    make_shift(school=cast.school, semester=term, user=cast.counselor, day=in_days(3))
    missing = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(-2))
    sign_in(client, cast.duty)
    response = client.get(reverse("rooms:my_duties"))
    assert [s.pk for s in response.context["page"]] == [mine.pk]
    assert [s.pk for s in response.context["recent_missing"]] == [missing.pk]


def test_publishing_shows_the_roster_and_warns_the_director_of_short_weeks(cast, room, term):
    plan(cast, room, term, d0=cast.duty)  # one hour a week: far short of ten
    services.roster_generate(actor=cast.director, room=room, semester=term)
    other_director = make_user("director", school=cast.school, username="director-b")
    result = services.roster_publish(actor=cast.director, room=room, semester=term)
    assert result.published == DutyShift.objects.filter(room=room, published=True).count() > 0
    assert len(result.short_weeks) == term.week_count
    for director in (cast.director, other_director):
        warning = Notification.objects.get(recipient=director, level=Notification.Level.ACTION)
        assert reverse("rooms:room_detail", args=[room.pk]) in warning.url
    assert Notification.objects.filter(recipient=cast.duty, url=reverse("rooms:my_duties")).exists()
    assert not Notification.objects.filter(recipient=cast.outsider).exists()


def test_publishing_a_room_open_long_enough_gives_no_warning(cast, room, term):
    for weekday in range(5):
        OpeningPeriodFactory(
            room=room, semester=term, weekday=weekday, starts_at=T(8), ends_at=T(17)
        )
    result = services.roster_publish(actor=cast.director, room=room, semester=term)
    assert result.short_weeks == []
    assert not Notification.objects.filter(recipient=cast.director).exists()


def test_the_director_plans_generates_and_publishes_in_the_pages(client, cast, room, term):
    period = OpeningPeriodFactory(room=room, semester=term, weekday=today().weekday())
    sign_in(client, cast.director)
    url = reverse("rooms:roster_plan", args=[room.pk])
    response = client.post(url, {"semester": term.pk, f"period-{period.pk}": cast.duty.pk})
    assert response.status_code == 302
    assert (
        client.post(
            reverse("rooms:roster_generate", args=[room.pk]), {"semester": term.pk}
        ).status_code
        == 302
    )
    assert DutyShift.objects.filter(room=room, user=cast.duty).exists()
    assert (
        client.post(
            reverse("rooms:roster_publish", args=[room.pk]), {"semester": term.pk}
        ).status_code
        == 302
    )
    assert not DutyShift.objects.filter(room=room, published=False).exists()
    state = client.get(url, {"semester": term.pk}).context["state"]
    assert state.unpublished == 0 and state.gaps == 0


def test_the_export_opens_as_a_workbook_with_a_week_grid_per_room(client, cast, room, term):
    care = RoomFactory(school=cast.school, name="关爱室")
    day = next_monday()
    make_shift(school=cast.school, semester=term, user=cast.duty, day=day, room=room)
    make_shift(
        school=cast.school,
        semester=term,
        user=cast.counselor,
        day=day + datetime.timedelta(days=2),
        room=care,
        starts_at=T(15),
        ends_at=T(16, 30),
    )
    make_shift(
        school=cast.school,
        semester=term,
        user=cast.director,
        day=day + datetime.timedelta(days=1),
        room=room,
        published=False,
    )
    cast.duty.full_name = "李值班"
    cast.duty.save()
    cast.counselor.full_name = "王老师"
    cast.counselor.save()
    sign_in(client, cast.duty)
    week = term.week_of(day)
    response = client.get(reverse("rooms:roster_export"), {"week": week})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["关爱室", "心理咨询室"]
    sheet = workbook["心理咨询室"]
    assert "心理咨询室 值班表" in sheet["A1"].value
    assert f"第{week}周" in sheet["A2"].value
    assert sheet["A3"].value == "时间"
    assert sheet["B3"].value.startswith("星期一")
    assert sheet["H3"].value.startswith("星期日")
    assert sheet["A4"].value == "12:00—13:00"
    assert sheet["B4"].value == "李值班"
    assert sheet["C4"].value in ("", None)  # the director's draft is not published
    assert workbook["关爱室"]["D4"].value == "王老师"
    assert workbook["关爱室"]["A4"].value == "15:00—16:30"


@pytest.mark.skipif(
    not shutil.which("soffice"),
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)",
)
def test_the_export_opens_in_a_spreadsheet_program(client, cast, room, term, tmp_path):
    """Issue 5: the roster for the door opens in a spreadsheet program, not only in openpyxl."""
    day = next_monday()
    make_shift(school=cast.school, semester=term, user=cast.duty, day=day, room=room)
    cast.duty.full_name = "李值班"
    cast.duty.save()
    sign_in(client, cast.duty)
    response = client.get(reverse("rooms:roster_export"), {"week": term.week_of(day)})
    (tmp_path / "roster.xlsx").write_bytes(response.content)

    subprocess.run(
        # Comma-separated, double quotes, UTF-8 (LibreOffice's CSV filter options).
        [
            "soffice",
            "--headless",
            "--norestore",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "roster.xlsx",
        ],
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)},  # a profile of its own
        capture_output=True,
        check=True,
        timeout=180,
    )

    text = (tmp_path / "roster.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].endswith("心理咨询室 值班表")
    assert rows[2][0] == "时间" and rows[2][1].startswith("星期一")
    assert rows[3][:2] == ["12:00—13:00", "李值班"]


def test_a_name_that_looks_like_a_formula_is_text_in_the_export(client, cast, room, term):
    """Issue 12 item 4: a person's name is written as text, never as a live formula."""
    day = next_monday()
    make_shift(school=cast.school, semester=term, user=cast.duty, day=day, room=room)
    cast.duty.full_name = '=HYPERLINK("http://evil.example","值班")'
    cast.duty.save()
    room.name = "+心理咨询室"
    room.save()
    sign_in(client, cast.duty)
    response = client.get(reverse("rooms:roster_export"), {"week": term.week_of(day)})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["B4"].value == cast.duty.full_name
    assert sheet["B4"].data_type == "s"
    assert sheet["A1"].data_type == "s"


def test_publishing_a_care_rooms_roster_of_one_hour_a_week_warns_nobody(cast, term):
    """Issue 12 item 25: the care room has no weekly target unless one is configured."""
    care = RoomFactory(school=cast.school, name="关爱室", kind="care")
    plan(cast, care, term, d0=cast.duty)
    services.roster_generate(actor=cast.director, room=care, semester=term)
    result = services.roster_publish(actor=cast.director, room=care, semester=term)
    assert result.short_weeks == []
    assert not Notification.objects.filter(
        recipient=cast.director, level=Notification.Level.ACTION
    ).exists()
