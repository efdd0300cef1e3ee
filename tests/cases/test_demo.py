"""The demo's case work (`xinqiao demo`): about sixty cases in every state with their plans,
records, summaries, evaluations, referrals and consents, held by the demo counselor and director.

The demo is loaded once for this module inside a transaction rolled back after the last test.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from xinqiao.cases.models import (
    Case,
    CaseCounselor,
    Conference,
    Consent,
    OutsideService,
    ProblemCategory,
    Referral,
    SessionRecord,
    Severity,
    SupportPlan,
)
from xinqiao.cases.selectors_stats import case_statistics
from xinqiao.core.models import Notification, User
from xinqiao.people.models import School, Semester

pytestmark = pytest.mark.django_db


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
def cases(school):
    return Case.objects.filter(school=school)


def account(username: str) -> User:
    return User.objects.get(username=username)


def test_about_sixty_cases_in_every_state(cases):
    states = Counter(cases.values_list("state", flat=True))

    assert 55 <= cases.count() <= 65
    assert set(states) == set(Case.State.values)
    assert states["active"] >= 15
    assert cases.filter(brief_contact=True, state="closed").count() >= 5
    assert set(cases.exclude(severity="").values_list("severity", flat=True)) == set(
        Severity.values
    )


def test_the_school_has_the_default_categories_and_cases_use_each(school, cases):
    categories = ProblemCategory.objects.filter(school=school)

    assert categories.count() == len(ProblemCategory.DEFAULTS)
    used = set(cases.values_list("categories", flat=True)) - {None}
    assert used == set(categories.values_list("pk", flat=True))


def test_the_cases_are_held_by_the_demo_counselor_and_the_director(cases):
    holders = set(
        CaseCounselor.objects.filter(case__in=cases).values_list("user__username", flat=True)
    )
    unassigned = cases.filter(counselors__isnull=True)

    assert holders == {"counselor", "director"}
    assert set(unassigned.values_list("state", flat=True)) == {"intake"}
    assert Case.objects.for_user(account("counselor")).count() >= 30
    assert Case.objects.for_user(account("director")).count() == cases.count()


def test_signing_in_as_the_counselor_shows_their_cases(school, client):
    counselor = account("counselor")
    sign_in(client, counselor)

    page = client.get(reverse("cases:case_list"), {"state": "active"})
    api = client.get("/api/cases/cases", {"state": "active", "limit": 100}).json()

    assert page.status_code == 200
    assert api["count"] == Case.objects.for_user(counselor).filter(state="active").count() > 5


def test_cases_beyond_assessment_have_an_approved_plan_with_measures_and_records(cases):
    working = cases.filter(
        state__in=["active", "closing", "closed", "archived"], brief_contact=False
    )

    for case in working:
        plan = case.plans.get(state=SupportPlan.State.APPROVED)
        assert plan.measures.exists(), case.number
        assert case.records.exists(), case.number
    assert SupportPlan.objects.filter(case__in=cases, version=2).count() >= 3
    assert SupportPlan.objects.filter(case__in=cases, state=SupportPlan.State.SUPERSEDED).exists()
    assert cases.filter(state="assessing", plans__state=SupportPlan.State.DRAFT).exists()


def test_serious_cases_had_a_case_conference_before_their_plan(cases):
    serious = cases.filter(severity__in=["serious", "crisis"], state__in=["active", "closed"])

    assert serious.exists()
    for case in serious:
        held = case.conferences.get(state=Conference.State.HELD)
        approved = case.plans.order_by("version").first().approved_at
        assert held.held_at <= approved, case.number
    assert cases.filter(state="assessing", conferences__state=Conference.State.PLANNED).exists()


def test_closed_and_archived_cases_have_a_closing_summary_evaluation_and_stage_summary(cases):
    for case in cases.filter(state__in=["closing", "closed", "archived"], brief_contact=False):
        assert case.closing_summary, case.number
        assert case.evaluations.exists(), case.number
        assert case.summaries.exists(), case.number


def test_archived_cases_are_in_the_previous_semesters_catalogue(school, cases):
    previous = Semester.objects.filter(school=school, is_current=False).get()

    for case in cases.filter(state="archived"):
        assert case.archive_number.startswith(f"DA-{previous.school_year}-{previous.term}-")
        assert case.archive_semester == previous
        assert case.closed_at.date() <= previous.ends_on
        assert case.retention_until is not None


def test_referrals_inside_and_outside_with_the_guardians_consent(school, cases):
    external = Referral.objects.filter(case__in=cases, kind=Referral.Kind.EXTERNAL)
    internal = Referral.objects.filter(case__in=cases, kind=Referral.Kind.INTERNAL)

    assert OutsideService.objects.filter(school=school).count() >= 3
    assert external.count() >= 3 and internal.exists()
    for referral in external:
        consent = referral.consent
        assert (consent.purpose, consent.given_by) == ("referral", "guardian")
        assert consent.case_id == referral.case_id
    assert Consent.objects.filter(school=school, purpose="counseling").count() >= 20
    assert all(r.outcome for r in external.filter(state="done"))
    assert external.filter(state="done").exists()


def test_a_few_reviews_and_follow_ups_are_overdue(school):
    semester = Semester.objects.get(school=school, is_current=True)

    stats = case_statistics(school=school, semester=semester)

    assert 1 <= stats.overdue_reviews <= 5
    assert 1 <= stats.overdue_follow_ups <= 3
    assert stats.unassigned_open_cases >= 2


def test_the_history_lies_in_the_past(cases):
    now = timezone.now()

    assert not cases.filter(opened_at__gt=now).exists()
    assert not SessionRecord.objects.filter(case__in=cases, held_at__gt=now).exists()
    assert not cases.filter(closed_at__gt=now).exists()
    for case in cases.exclude(closed_at=None):
        assert case.closed_at >= case.opened_at, case.number


def test_the_class_teacher_referred_two_students_and_sits_in_a_conference(cases):
    teacher = account("class_teacher")

    assert cases.filter(referred_by=teacher).count() == 2
    assert teacher.conference_seats.exists()
    assert teacher.case_measures.exists()


def test_only_what_still_waits_is_notified(cases):
    director = account("director")
    case_urls = [
        reverse("cases:case_detail", args=[pk]) for pk in cases.values_list("pk", flat=True)
    ]
    told = Notification.objects.filter(recipient=director, url__in=case_urls)
    waiting = cases.filter(state__in=["intake", "closing"]).count()

    assert told.count() == waiting


def test_the_counseling_text_is_encrypted_in_the_database(cases):
    case = cases.filter(state="active").first()
    record = case.records.first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT problem FROM cases_case WHERE id = %s", [case.pk])
        stored_problem = cursor.fetchone()[0]
        cursor.execute("SELECT measures_taken FROM cases_sessionrecord WHERE id = %s", [record.pk])
        stored_record = cursor.fetchone()[0]

    assert case.problem and case.problem not in stored_problem
    assert record.measures_taken not in stored_record
    assert not any("\u4e00" <= char <= "\u9fff" for char in stored_problem + stored_record)


def test_access_grants_in_every_state_with_reads_under_the_one_in_force(loaded, client):
    from xinqiao.cases.models import AccessGrant
    from xinqiao.core.models import AccessLog

    grants = AccessGrant.objects.all()
    labels = {grant.status_label for grant in grants}
    assert {"等待主任审核", "已过期", "已拒绝", "已撤销", "已撤回"} <= labels
    in_force = grants.get(
        requester__username="duty", state="approved", expires_at__gt=timezone.now()
    )
    assert in_force.in_force and in_force.granted_parts < in_force.requested_parts
    assert AccessLog.objects.filter(grant_id=in_force.pk, action="read").count() >= 3
    sign_in(client, account("duty"))
    page = client.get(reverse("cases:case_detail", args=[in_force.case_id]))
    assert page.status_code == 200 and 'data-testid="records-loading"' not in page.content.decode()
