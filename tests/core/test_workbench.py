"""The workbench (issue 17, first part): each role's home page shows its tiles, each tile's
count is what the list behind it holds, and no tile says what the role may not know."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import PROBLEM, case_at
from tests.cases.test_waiting_steps import draft
from xinqiao.cases import services_grants, services_plans
from xinqiao.cases.models import PlanMeasure
from xinqiao.core.roles import Role
from xinqiao.core.workbench import registered_tiles

pytestmark = pytest.mark.django_db

LEADERSHIP_TILES = [
    "waiting",
    "open_cases",
    "consultations",
    "room_hours",
    "alerts_semester",
    "alert_response",
    "measures_asked",
    "my_referrals",
]
TILES = {
    Role.ADMIN: ["waiting", "accounts_not_issued", "lockouts", "backup_problems"],
    Role.PRINCIPAL: LEADERSHIP_TILES,
    Role.VICE_PRINCIPAL: LEADERSHIP_TILES,
    Role.DIRECTOR: [
        "waiting",
        "alerts",
        "appointments_today",
        "duties_today",
        "cases_awaiting_approval",
        "unassigned",
        "grants_waiting",
        "overdue",
        "follow_ups",
        "letters",
        "flags",
        "record_requests",
        "leave_requests",
        "missing_duty_logs",
    ],
    Role.COUNSELOR: [
        "waiting",
        "alerts",
        "appointments_today",
        "my_open_cases",
        "measures_asked",
        "my_follow_ups",
        "letters",
    ],
    Role.DUTY: [
        "waiting",
        "appointments_today",
        "my_shifts",
        "my_open_intakes",
        "duty_logs",
        "my_grants",
    ],
    Role.CLASS_TEACHER: ["waiting", "measures_asked", "named_in_reports", "my_referrals"],
    Role.GRADE_LEADER: ["waiting", "measures_asked", "my_referrals"],
    Role.STUDENT_AFFAIRS: ["waiting", "measures_asked", "my_referrals"],
    Role.SUPERVISOR: ["waiting", "missing_duty_logs"],
    Role.COMMITTEE_MEMBER: ["waiting", "weekly_report", "questionnaires"],
    Role.DORM_LIAISON: ["waiting", "weekly_report", "questionnaires"],
    Role.STUDENT: ["waiting", "questionnaires", "bookings"],
    Role.GUARDIAN: ["waiting", "my_referrals", "child_questionnaires", "my_record_requests"],
    Role.DISTRICT: ["waiting", "schools"],
}


def tiles_on_home(client, role: str) -> dict[str, float | None]:
    """The tiles of ``role``'s card on the home page, with their counts as shown (a figure
    shown as "–" is None)."""
    page = client.get(reverse("core:home")).content.decode()
    card = page.split(f'data-testid="tiles-{role}"', 1)[1].split("</div>", 1)[0]
    tiles = {}
    for part in card.split('data-testid="tile-')[1:]:
        key = part.split('"', 1)[0]
        count = part.split('data-count="', 1)[1].split('"', 1)[0]
        tiles[key] = float(count) if count else None
    return tiles


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_tiles_in_order(cast, signed_in, role):
    assert [tile.key for tile in registered_tiles(role)] == TILES[role]
    shown = tiles_on_home(signed_in(getattr(cast, role.value)), role.value)
    assert list(shown) == TILES[role]


def test_a_plan_saved_for_approval_is_on_the_directors_workbench_until_approved(cast, signed_in):
    client = signed_in(cast.director)
    before = tiles_on_home(client, "director")
    plan = draft(cast, case_at(cast, "assessing"))
    during = tiles_on_home(client, "director")
    assert during["cases_awaiting_approval"] == before["cases_awaiting_approval"] + 1
    assert during["waiting"] == before["waiting"] + 1
    services_plans.plan_approve(actor=cast.director, plan=plan)
    assert tiles_on_home(client, "director") == before


def test_the_counts_are_what_the_lists_behind_them_hold(cast, signed_in):
    case = case_at(cast, "active")
    plan = draft(cast, case)  # a revised plan, approved: its measure is asked of the teacher
    services_plans.plan_approve(actor=cast.director, plan=plan)
    PlanMeasure.objects.filter(plan__case=case).exclude(plan=plan).delete()
    PlanMeasure.objects.filter(plan=plan).update(responsible=cast.class_teacher)
    grant = services_grants.grant_request(
        actor=cast.duty,
        case=case,
        reason="核实值班来电",
        ends_at=timezone.now() + datetime.timedelta(days=3),
        parts=["plan"],
    )
    director = tiles_on_home(signed_in(cast.director), "director")
    assert director["grants_waiting"] == 1
    assert tiles_on_home(signed_in(cast.duty), "duty")["my_grants"] == 0
    services_grants.grant_approve(actor=cast.director, grant=grant)
    assert tiles_on_home(signed_in(cast.director), "director")["grants_waiting"] == 0
    assert tiles_on_home(signed_in(cast.duty), "duty")["my_grants"] == 1
    counselor = tiles_on_home(signed_in(cast.counselor), "counselor")
    assert counselor["my_open_cases"] == 1
    teacher_client = signed_in(cast.class_teacher)
    teacher = tiles_on_home(teacher_client, "class_teacher")
    assert teacher["measures_asked"] == 1
    tasks = teacher_client.get(reverse("cases:my_tasks")).content.decode()
    assert tasks.count('data-testid="task-') == 1  # the list behind the tile
    home = teacher_client.get(reverse("core:home")).content.decode()
    assert PROBLEM not in home  # a tile counts, it never says why


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COUNSELOR, Role.STUDENT, Role.GUARDIAN])
def test_a_workbench_is_one_page_load_with_a_bounded_number_of_queries(cast, signed_in, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(getattr(cast, role.value))
    client.get(reverse("core:home"))  # the session's first request settles its own rows
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:home")).status_code == 200
    # The page's own (session, user, roles, menu, bell) and one count a tile.
    assert len(queries) <= 10 + len(TILES[role]), [q["sql"][:120] for q in queries]


def test_appointment_tiles_count_today_and_the_students_coming_bookings(cast, signed_in):
    from tests.rooms.appointment_factories import at, make_appointment, make_slot
    from xinqiao.rooms.models import Appointment

    # One at midnight today (on today's book, no longer coming), one in three days.
    today = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=at(0, 0)), cast.student_record
    )
    coming = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=at(3, 10)), cast.student_record
    )
    director = signed_in(cast.director)
    assert tiles_on_home(director, "director")["appointments_today"] == 1
    listed = director.get(
        reverse("rooms:appointment_list"), {"day": timezone.localdate().isoformat()}
    )
    assert listed.content.decode().count(f"/rooms/appointments/{today.pk}/") >= 1
    assert tiles_on_home(signed_in(cast.student), "student")["bookings"] == 1
    Appointment.objects.filter(pk=coming.pk).update(state=Appointment.State.CANCELLED)
    assert tiles_on_home(signed_in(cast.student), "student")["bookings"] == 0


def test_the_alert_and_letter_tiles_count_what_is_still_open(cast, signed_in):
    from tests.crisis.test_alerts import an_alert
    from tests.letters.factories import send_letter
    from xinqiao.crisis.models import Alert

    alert = an_alert(cast)
    send_letter(cast.student, body="最近总是睡不着，想和老师聊聊。")
    for role in ("director", "counselor"):
        tiles = tiles_on_home(signed_in(getattr(cast, role)), role)
        assert (tiles["alerts"], tiles["letters"]) == (1, 1), role
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.RESOLVED)
    assert tiles_on_home(signed_in(cast.director), "director")["alerts"] == 0
    # Another school's director counts none of them.
    foreign = signed_in(cast.foreign_director).get(reverse("core:home")).content.decode()
    assert 'data-testid="tile-letters" data-count="0"' in foreign


def test_the_administrators_tiles_count_locked_accounts_and_backup_trouble(
    cast, signed_in, settings
):
    from axes.models import AccessAttempt
    from django.utils import timezone as tz

    settings.BACKUP_SCHEDULE = ""  # scheduled backups off: nothing to be in trouble about
    client = signed_in(cast.admin)
    assert tiles_on_home(client, "admin") == {
        "waiting": 0,
        "accounts_not_issued": 0,
        "lockouts": 0,
        "backup_problems": 0,
    }
    AccessAttempt.objects.create(
        username="class_teacher",
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=tz.now(),
    )
    assert tiles_on_home(client, "admin")["lockouts"] == 1
    page = client.get(reverse("core:lockouts")).content.decode()
    assert "class_teacher" in page


def test_the_administrator_sees_the_accounts_still_to_issue(cast, signed_in):
    """The account issue page's "not yet issued": a guardian of two children counts once, a
    student who left does not count, and an account once issued leaves the count."""
    from xinqiao.core.models import User
    from xinqiao.people.models import Guardian, GuardianLink, Student

    def roster_user(username):
        user = User(username=username, is_active=False)
        user.set_unusable_password()
        user.save()
        return user

    children = [
        Student.objects.create(
            school=cast.school,
            school_class=cast.school_class,
            name=f"新生{number}",
            student_number=f"20260799{number}",
            user=roster_user(f"s-new-{number}"),
        )
        for number in (1, 2)
    ]
    Student.objects.filter(pk=children[1].pk).update(status=Student.Status.LEFT)
    parent = Guardian.objects.create(school=cast.school, name="新家长", user=roster_user("g-new"))
    for child in children:
        GuardianLink.objects.create(guardian=parent, student=child)
    client = signed_in(cast.admin)
    assert tiles_on_home(client, "admin")["accounts_not_issued"] == 2  # 新生1 and 新家长
    User.objects.filter(username="g-new").update(is_active=True)
    assert tiles_on_home(client, "admin")["accounts_not_issued"] == 1


def test_leadership_sees_the_schools_open_cases_as_a_total_and_no_case(cast, signed_in):
    from xinqiao.cases.selectors_stats import case_statistics, default_semester

    case_at(cast, "active")
    case_at(cast, "closed")
    client = signed_in(cast.principal)
    tiles = tiles_on_home(client, "principal")
    stats = case_statistics(school=cast.school, semester=default_semester(cast.school))
    assert tiles["open_cases"] == stats.open_cases == 1
    home = client.get(reverse("core:home")).content.decode()
    assert PROBLEM not in home and cast.student_record.name not in home
    director = tiles_on_home(signed_in(cast.director), "director")
    assert director["unassigned"] == stats.unassigned_open_cases
    assert director["overdue"] == stats.overdue_reviews + stats.overdue_follow_ups


def test_leadership_sees_the_room_hours_and_alert_response_times_of_the_semester(cast, signed_in):
    """Room hours against the 10-hour standard and the median minutes to a first answer, as on
    the statistics page the tiles lead to."""
    from xinqiao.crisis.models import Alert
    from xinqiao.crisis.services import alert_acknowledge, raise_alert
    from xinqiao.people.models import Semester
    from xinqiao.rooms.models import OpeningPeriod, Room

    # The semester around today, whenever the suite runs (the cast's is 2026-09-01 to 2027-01-20).
    today = timezone.localdate()
    Semester.objects.filter(pk=cast.semester.pk).update(
        starts_on=today - datetime.timedelta(days=40), ends_on=today + datetime.timedelta(days=40)
    )
    cast.semester.refresh_from_db()
    client = signed_in(cast.principal)
    before = tiles_on_home(client, "principal")
    assert (before["room_hours"], before["alerts_semester"], before["alert_response"]) == (
        None,
        0,
        None,
    )
    room = Room.objects.create(school=cast.school, name="心理辅导室", kind=Room.Kind.COUNSELING)
    for weekday in range(5):  # 12:00-14:00 on school days: 10 hours a full week
        OpeningPeriod.objects.create(
            room=room,
            semester=cast.semester,
            weekday=weekday,
            starts_at=datetime.time(12, 0),
            ends_at=datetime.time(14, 0),
        )
    now = timezone.now()
    for minutes in (4, 10, 30):
        alert = raise_alert(
            actor=cast.counselor,
            school=cast.school,
            risk_level=Alert.RiskLevel.HIGH,
            source=Alert.Source.COUNSELING,
            evidence="割腕的念头",
            student=cast.student_record,
            raise_key=f"test-{minutes}",
        )
        Alert.objects.filter(pk=alert.pk).update(
            raised_at=now - datetime.timedelta(minutes=minutes)
        )
        alert.refresh_from_db()
        alert_acknowledge(actor=cast.director, alert=alert)
    tiles = tiles_on_home(signed_in(cast.principal), "principal")
    monday, _sunday = cast.semester.week_dates(cast.semester.week_of(today))
    school_days = sum(
        1
        for day in (monday + datetime.timedelta(days=offset) for offset in range(5))
        if not cast.semester.is_holiday(day)
    )
    assert tiles["room_hours"] == 2 * school_days
    assert (tiles["alerts_semester"], tiles["alert_response"]) == (3, 10)
    page = client.get(reverse("cases:statistics")).content.decode()
    assert 'data-testid="stat-alerts">3<' in page
    assert "10" in page.split('data-testid="stat-alert-response"', 1)[1].split("</small>", 1)[0]
    assert "割腕的念头" not in page and cast.student_record.name not in page


def test_the_duty_persons_tiles_count_their_duties_and_the_logs_still_to_write(cast, signed_in):
    from xinqiao.rooms.models import DutyShift, Room

    room = Room.objects.create(school=cast.school, name="心理咨询室")
    today = timezone.localdate()
    for days in (-3, 2):
        DutyShift.objects.create(
            school=cast.school,
            room=room,
            user=cast.duty,
            date=today + datetime.timedelta(days=days),
            starts_at=datetime.time(12, 0),
            ends_at=datetime.time(13, 0),
            published=True,
            semester=cast.semester,
        )
    tiles = tiles_on_home(signed_in(cast.duty), "duty")
    assert (tiles["my_shifts"], tiles["duty_logs"]) == (1, 1)
    # The same missing log, for those who check that the records are complete.
    for role in ("director", "supervisor"):
        assert tiles_on_home(signed_in(getattr(cast, role)), role)["missing_duty_logs"] == 1
    # Today's duties, for the director: who is on today is on the roster's week.
    DutyShift.objects.create(
        school=cast.school,
        room=room,
        user=cast.duty,
        date=today,
        starts_at=datetime.time(23, 0),
        ends_at=datetime.time(23, 30),
        published=True,
        semester=cast.semester,
    )
    assert tiles_on_home(signed_in(cast.director), "director")["duties_today"] == 1


def test_a_role_held_twice_in_one_school_is_one_card(cast, signed_in):
    """The cast's class teacher holds the role for the school and for their class."""
    page = signed_in(cast.class_teacher).get(reverse("core:home")).content.decode()
    assert page.count('data-role="class_teacher"') == 1
