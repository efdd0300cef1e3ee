"""The demo's crisis work (`xinqiao demo`): alerts in every state with their timelines, the 危机
alert raised as the demo loads, left alone, climbing the network at its deadlines; and a term of
weekly network reports, the current week under way, the committee member's report still to write.

The demo is loaded once for this module inside a transaction rolled back after its last test.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in
from xinqiao.core.models import Notification, User
from xinqiao.crisis.demo_alerts import LEFT_ALONE
from xinqiao.crisis.escalation import escalate_due_alerts
from xinqiao.crisis.models import Alert, AlertNotice, ReportForward, WeeklyReport, WorriedItem
from xinqiao.crisis.selectors_reports import week_of
from xinqiao.people.models import School, SchoolClass, Semester

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def account(username: str) -> Client:
    return sign_in(Client(), User.objects.get(username=username))


def left_alone() -> Alert:
    return Alert.objects.get(source=Alert.Source.TEACHER, state=Alert.State.RAISED)


def test_the_demo_has_alerts_in_every_state_each_with_its_timeline(loaded):
    states = set(Alert.objects.values_list("state", flat=True))
    assert states == set(Alert.State.values)
    page = account("director").get(
        reverse("crisis:alert_detail", args=[Alert.objects.get(state="in_intervention").pk])
    )
    body = page.content.decode()
    assert 'data-step="1"' in body and 'data-to-state="in_intervention"' in body
    for alert in Alert.objects.all():
        assert alert.events.exists() and alert.notices.filter(step=0).exists()


def test_the_left_alone_crisis_alert_climbs_at_its_deadlines_and_stops_once_acknowledged(loaded):
    alert = left_alone()
    t0 = alert.raised_at
    first = set(AlertNotice.objects.filter(alert=alert, step=0).values_list("role", flat=True))
    assert first == {"director", "counselor", "principal", "vice_principal", "class_teacher"}
    assert escalate_due_alerts(now=t0 + 9 * MINUTE) == 0
    assert escalate_due_alerts(now=t0 + 10 * MINUTE) > 0
    assert set(AlertNotice.objects.filter(alert=alert, step=1).values_list("role", flat=True)) <= {
        "leadership_group",
        "student_affairs",
    }
    assert escalate_due_alerts(now=t0 + 20 * MINUTE) > 0  # everyone told is reminded
    # The principal sees who and the state, never what was written, and acknowledges it.
    principal = account("principal")
    page = principal.get(reverse("crisis:alert_detail", args=[alert.pk])).content.decode()
    assert alert.student.name in page and LEFT_ALONE not in page
    principal.post(reverse("crisis:alert_acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED
    told = AlertNotice.objects.filter(alert=alert).count()
    escalate_due_alerts(now=t0 + 3 * 60 * MINUTE)  # the demo's other waiting alerts climb
    assert AlertNotice.objects.filter(alert=alert).count() == told
    # Every step is on the timeline with its time.
    page = principal.get(reverse("crisis:alert_detail", args=[alert.pk])).content.decode()
    for step in (0, 1, 2):
        assert f'data-step="{step}"' in page
    assert 'data-to-state="acknowledged"' in page
    # The class teacher sees what to do, not why, and cannot open the alert.
    teacher = account("class_teacher")
    asked = teacher.get(reverse("crisis:my_instructions")).content.decode()
    assert alert.student.name in asked and LEFT_ALONE not in asked
    assert teacher.get(reverse("crisis:alert_detail", args=[alert.pk])).status_code == 404
    notes = Notification.objects.filter(recipient__username="class_teacher", url__contains="asked")
    assert notes and not any(LEFT_ALONE in note.body for note in notes)


def test_the_director_sees_the_demo_alerts_on_the_board(loaded):
    page = account("director").get(reverse("crisis:board")).content.decode()
    for alert in Alert.objects.filter(state__in=Alert.OPEN_STATES):
        assert f'data-testid="board-alert-{alert.pk}"' in page
    resolved = Alert.objects.filter(state="resolved")  # the screening demo's too
    assert resolved.exists()
    for alert in resolved:
        assert f'data-testid="board-alert-{alert.pk}"' not in page


@pytest.fixture
def semester(loaded) -> Semester:
    return Semester.objects.get(school__code="demo", is_current=True)


def require_term(semester: Semester):
    week = week_of(semester)
    if week is None or week.number < 3:
        pytest.skip("the demo semester is not running: no weeks of reports yet")
    return week


def test_every_past_week_has_the_reports_of_nearly_every_unit(semester):
    week = require_term(semester)
    last = WeeklyReport.objects.filter(semester=semester, week=week.number - 1)
    classes = SchoolClass.objects.filter(school__code="demo", graduated=False).count()
    assert classes - 4 <= last.filter(kind="class").count() < classes  # 高二3班 has no member
    assert last.filter(kind="dormitory").count() > 10
    assert WorriedItem.objects.filter(report__semester=semester).exists()


def test_last_weeks_worry_became_an_alert_and_a_report_was_forwarded(semester):
    require_term(semester)
    worry = WorriedItem.objects.get(alert__isnull=False)
    assert worry.report.week < week_of(semester).number
    assert worry.alert.state == "acknowledged"
    assert ReportForward.objects.get().forwarded_by.username == "grade_leader"


def test_the_demo_committee_member_still_has_this_weeks_report_to_write(semester, client):
    require_term(semester)
    sign_in(client, User.objects.get(username="committee_member"))
    page = client.get(reverse("crisis:report_mine")).content.decode()
    assert 'data-status="missing"' in page
    assert School.objects.get(code="demo")
    summary = WeeklyReport.objects.filter(semester=semester, week=week_of(semester).number)
    assert summary.exists()
