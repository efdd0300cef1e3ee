"""The demo's rooms (`xinqiao demo`): three rooms, the semester's roster with leave and
substitutes, the duty logs of the past month, appointments around today, calls and an alert.

The demo is loaded once for this module inside a transaction rolled back after the module's
last test. Its data is placed relative to the day it is loaded; the few assertions that need
the semester to be running (history before today, duties after it) skip when it is not.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from xinqiao.core.models import Notification, User
from xinqiao.crisis.models import Alert
from xinqiao.people.models import School, Semester
from xinqiao.rooms.appointments.selectors import free_slots
from xinqiao.rooms.duty_log.selectors import missing_logs
from xinqiao.rooms.models import (
    MIN_WEEKLY_OPEN_HOURS,
    Appointment,
    AppointmentSlot,
    DutyLog,
    DutyShift,
    Intake,
    LeaveRequest,
    Room,
)
from xinqiao.rooms.roster.selectors import double_bookings, roster_gaps
from xinqiao.rooms.selectors import short_weeks

pytestmark = pytest.mark.django_db

DUTY_HOLDERS = {"duty", "counselor", "director"}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def school(loaded) -> School:
    return School.objects.get(code="demo")


@pytest.fixture
def semester(school) -> Semester:
    return Semester.objects.get(school=school, is_current=True)


def account(username: str) -> User:
    return User.objects.get(username=username)


def room(name: str) -> Room:
    return Room.objects.get(school__code="demo", name=name)


def weekly_hours(the_room: Room, semester: Semester) -> float:
    return sum(p.hours for p in the_room.opening_periods.filter(semester=semester))


def require_history(semester: Semester) -> None:
    if timezone.localdate() <= semester.starts_on:
        pytest.skip("the semester has not begun: no duty is over yet")


def test_three_rooms_of_the_three_kinds(school):
    rooms = {r.name: r for r in Room.objects.filter(school=school)}
    assert {name: r.kind for name, r in rooms.items()} == {
        "心理咨询室": Room.Kind.COUNSELING,
        "关爱室": Room.Kind.CARE,
        "团体辅导室": Room.Kind.GROUP,
    }
    assert rooms["心理咨询室"].spaces == "接待区、个体咨询室、沙盘室、放松室"
    assert rooms["心理咨询室"].equipment
    assert rooms["团体辅导室"].capacity == 12


def test_the_counseling_room_is_open_ten_hours_a_week_and_the_care_room_less(semester):
    assert weekly_hours(room("心理咨询室"), semester) >= MIN_WEEKLY_OPEN_HOURS
    assert 0 < weekly_hours(room("关爱室"), semester) < MIN_WEEKLY_OPEN_HOURS


def test_the_care_room_open_three_hours_a_week_warns_nobody(semester):
    """Issue 12 item 25: the ten hours of seed 004 item 14 are the counseling room's."""
    care = room("关爱室")
    url = reverse("rooms:room_detail", args=[care.pk]) + f"?semester={semester.pk}"
    assert not short_weeks(room=care, semester=semester)
    assert not Notification.objects.filter(recipient=account("director"), url=url).exists()


def test_the_semesters_roster_is_published_without_gaps_or_double_duties(school, semester):
    shifts = DutyShift.objects.filter(school=school, semester=semester)
    assert shifts.count() > 200  # 13 duties a week for about twenty weeks
    assert not shifts.filter(published=False).exists()
    assert not roster_gaps(shifts).exists()
    assert not double_bookings(shifts).exists()
    holders = set(shifts.values_list("user__username", flat=True))
    assert holders == DUTY_HOLDERS
    assert shifts.order_by("date").first().date < semester.starts_on + datetime.timedelta(days=7)


def test_three_approved_leaves_show_their_substitute_on_the_shift(school):
    approved = LeaveRequest.objects.filter(
        shift__school=school, state=LeaveRequest.State.APPROVED, substitute__isnull=False
    ).select_related("shift", "requester")
    assert approved.count() >= 3
    for leave in approved:
        assert leave.shift.user_id == leave.substitute_id != leave.requester_id
        assert leave.shift.origin == DutyShift.Origin.SUBSTITUTE
        assert leave.decided_by == account("director")
    refused = LeaveRequest.objects.get(shift__school=school, state=LeaveRequest.State.REFUSED)
    assert refused.shift.user_id == refused.requester_id
    assert refused.decision_note


def test_the_duty_teacher_waits_for_the_directors_decision_on_one_leave(client, school):
    if not DutyShift.objects.filter(school=school, date__gt=timezone.localdate()).exists():
        pytest.skip("the semester is over: no duty to ask leave from")
    waiting = LeaveRequest.objects.get(
        shift__school=school, state=LeaveRequest.State.REQUESTED, requester=account("duty")
    )
    assert waiting.shift.user == account("duty")
    assert waiting.shift.starts > timezone.now()
    sign_in(client, account("director"))
    response = client.get(reverse("rooms:leave_list"))
    assert response.status_code == 200
    assert f'data-testid="leave-{waiting.pk}"' in response.content.decode()


def test_the_past_month_has_its_duty_logs_a_few_late_and_two_missing(client, school, semester):
    require_history(semester)
    month_ago = timezone.localdate() - datetime.timedelta(days=28)
    logs = DutyLog.objects.filter(shift__school=school, shift__date__gte=month_ago)
    assert logs.count() > 20
    assert all(log.written_by_id == log.shift.user_id for log in logs.select_related("shift"))
    assert 2 <= sum(1 for log in logs.select_related("shift") if log.late_minutes > 0) <= 6
    assert logs.exclude(handover="").exists()
    missing = list(missing_logs(school_ids=[school.pk]))
    assert 1 <= len(missing) <= 3  # two, and one more if a duty ended since the demo loaded
    sign_in(client, account("director"))
    page = client.get(reverse("rooms:duty_log_missing")).content.decode()
    assert all(f'data-testid="missing-{shift.pk}"' in page for shift in missing)


def test_slots_and_bookings_before_and_after_today(school):
    now = timezone.now()
    slots = AppointmentSlot.objects.filter(school=school, cancelled=False)
    assert slots.filter(ends_at__lte=now).exists()
    assert free_slots(slots).exists()  # free times to book ahead
    past = Appointment.objects.filter(school=school, slot__starts_at__lt=now)
    assert {
        Appointment.State.COMPLETED,
        Appointment.State.NO_SHOW,
        Appointment.State.CANCELLED,
    } <= set(past.values_list("state", flat=True))
    ahead = Appointment.objects.filter(school=school, slot__starts_at__gt=now)
    assert ahead.filter(state=Appointment.State.BOOKED, slot__is_group=False).count() >= 3


def test_the_student_sees_his_booking_with_the_counselor(client, school):
    booking = Appointment.objects.get(
        student__user=account("student"),
        state=Appointment.State.BOOKED,
        slot__starts_at__gt=timezone.now(),
    )
    assert booking.slot.counselor == account("counselor")
    assert booking.booked_by == account("student")
    sign_in(client, account("student"))
    page = client.get(reverse("rooms:my_bookings")).content.decode()
    assert f'data-testid="booking-{booking.pk}"' in page
    assert "刘思远" in page


def test_the_weekly_group_has_several_bookings(school):
    group = (
        AppointmentSlot.objects.filter(
            school=school, is_group=True, starts_at__gt=timezone.now(), cancelled=False
        )
        .order_by("starts_at")
        .first()
    )
    assert group.room.name == "团体辅导室"
    booked = group.appointments.filter(state__in=Appointment.ACTIVE_STATES).count()
    assert 3 <= booked <= group.capacity <= 12


def test_the_duty_teacher_took_calls_and_visits_one_booked_and_one_raised_as_an_alert(school):
    intakes = Intake.objects.filter(school=school, received_by=account("duty"))
    assert set(intakes.values_list("channel", flat=True)) == {
        Intake.Channel.PHONE,
        Intake.Channel.WALK_IN,
    }
    booked = intakes.get(outcome=Intake.Outcome.APPOINTMENT)
    assert booked.appointments.filter(state=Appointment.State.BOOKED).exists()
    urgent = intakes.get(outcome=Intake.Outcome.ALERT)
    assert urgent.urgency == Intake.Urgency.URGENT
    alert = Alert.objects.get(school=school, source_type="rooms.Intake")
    assert alert.source_id == str(urgent.pk)
    assert alert.risk_level == Alert.RiskLevel.HIGH
    assert alert.student == urgent.student
    assert Notification.objects.filter(
        recipient=account("director"), url=reverse("crisis:alert_detail", args=[alert.pk])
    ).exists()
