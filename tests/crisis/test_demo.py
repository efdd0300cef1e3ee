"""The demo's weekly network reports (`xinqiao demo`): a term of them for every class and
dormitory, the current week under way, the demo committee member's report still to write.

The demo is loaded once for this module inside a transaction rolled back after its last test.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from tests.conftest import sign_in
from xinqiao.core.models import User
from xinqiao.crisis.models import Alert, ReportForward, WeeklyReport, WorriedItem
from xinqiao.crisis.selectors_reports import week_of
from xinqiao.people.models import School, SchoolClass, Semester

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


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
    alert = Alert.objects.get(source="network_report")
    assert WorriedItem.objects.get(alert=alert).report.week < week_of(semester).number
    assert alert.state == "acknowledged"
    # Today's urgent visit stays the school's latest alert (the rooms and cases demos use it).
    latest = Alert.objects.filter(school__code="demo").order_by("-raised_at").first()
    assert latest.source_type == "rooms.Intake"
    assert ReportForward.objects.get().forwarded_by.username == "grade_leader"


def test_the_demo_committee_member_still_has_this_weeks_report_to_write(semester, client):
    require_term(semester)
    sign_in(client, User.objects.get(username="committee_member"))
    page = client.get(reverse("crisis:report_mine")).content.decode()
    assert 'data-status="missing"' in page
    assert School.objects.get(code="demo")
    summary = WeeklyReport.objects.filter(semester=semester, week=week_of(semester).number)
    assert summary.exists()
