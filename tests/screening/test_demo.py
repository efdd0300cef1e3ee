"""The demo's screening (`xinqiao demo`): the demo wordings copied into the school's scales
folder, a finished campaign of the whole school with a realistic spread and its follow-up
interviews, and one campaign open now for the class of the ``student`` account.

The demo is loaded once for this module inside a transaction rolled back after its last test;
its scales folder is a temporary data directory's, removed afterwards (the wordings must not
make the scales administrable for other tests).
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from xinqiao.cases.models import Case
from xinqiao.core.models import User
from xinqiao.crisis.models import Alert
from xinqiao.people.models import Student
from xinqiao.screening.library import current_library, school_scales_dir
from xinqiao.screening.models import Campaign, FollowUp, Participation, Response

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        override_settings(DATA_DIR=tmp_path_factory.mktemp("screening-demo")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def finished(loaded) -> Campaign:
    return Campaign.objects.get(state=Campaign.State.CLOSED)


def test_the_demo_wordings_are_in_the_schools_folder_and_make_three_scales_administrable(loaded):
    assert sorted(p.name for p in school_scales_dir().glob("*.yaml")) == [
        "cesd.zh-Hans.yaml",
        "phq9.zh-Hans.yaml",
        "who5.zh-Hans.yaml",
    ]
    library = current_library()
    administrable = {key[0] for key, d in library.definitions.items() if d.administrable}
    assert administrable == {"phq9", "who5", "cesd"}


def test_the_finished_campaign_covers_the_whole_school_earlier_this_semester(finished):
    enrolled = Student.objects.filter(
        school_id=finished.school_id, status=Student.Status.ENROLLED
    ).count()
    states = Counter(finished.participations.values_list("state", flat=True))

    assert finished.scales == ["phq9@1.0", "who5@1.0"]
    assert finished.closes_at < timezone.now() - timezone.timedelta(days=7)
    assert sum(states.values()) == enrolled > 1000
    assert 0.03 <= states["opted_out"] / enrolled <= 0.05
    assert 0 < states["invited"] + states["started"] <= 20
    assert states["submitted"] == enrolled - sum(
        states[s] for s in ("opted_out", "invited", "started")
    )
    submitted = finished.participations.filter(state=Participation.State.SUBMITTED)
    assert not submitted.filter(submitted_at__gte=finished.closes_at).exists()
    assert not submitted.filter(submitted_at__lt=finished.opens_at).exists()
    # Nothing of an opted-out child is kept.
    assert not Response.objects.filter(
        participation__campaign=finished, participation__state=Participation.State.OPTED_OUT
    ).exists()


def test_most_results_are_minimal_or_mild_and_a_few_ask_for_an_interview(finished):
    phq9 = Counter(
        Response.objects.filter(
            participation__campaign=finished, scale_id="phq9", scored_at__isnull=False
        ).values_list("band", flat=True)
    )
    scored = sum(phq9.values())

    assert (phq9["minimal"] + phq9["mild"]) / scored > 0.9
    assert phq9["minimal"] > phq9["mild"] > phq9["moderate"] > 0
    assert phq9["moderately_severe"] > 0 and phq9["severe"] > 0
    poor = Response.objects.filter(
        participation__campaign=finished, scale_id="who5", band="poor"
    ).count()
    assert 0 < poor < scored * 0.1


def test_item_9_raised_two_or_three_alerts_handled_since(finished):
    critical = Response.objects.filter(participation__campaign=finished).exclude(critical_level="")
    alerts = Alert.objects.filter(source=Alert.Source.SCREENING, source_id__in=[
        str(pk) for pk in critical.values_list("pk", flat=True)
    ])  # fmt: skip

    assert 2 <= critical.count() <= 3
    assert alerts.count() == critical.count()
    assert set(alerts.values_list("state", flat=True)) == {Alert.State.RESOLVED}
    assert not alerts.filter(raised_at__gte=finished.closes_at).exists()


def test_the_follow_ups_show_both_conclusions_and_a_few_still_to_hold(finished):
    follow_ups = FollowUp.objects.filter(participation__campaign=finished)
    conclusions = Counter(follow_ups.values_list("conclusion", flat=True))
    flagged = Response.objects.filter(participation__campaign=finished, follow_up=True)

    assert follow_ups.count() == flagged.values("participation").distinct().count()
    assert conclusions["no_concern"] > 5 * conclusions["confirmed"] > 0  # most flags: no concern
    assert 0 < conclusions["pending"] < conclusions["no_concern"]
    pending = follow_ups.filter(conclusion=FollowUp.Conclusion.PENDING)
    assert pending.filter(assigned_to__isnull=False).exists()
    assert pending.filter(assigned_to__isnull=True).exists()
    confirmed = follow_ups.filter(conclusion=FollowUp.Conclusion.CONFIRMED)
    assert not confirmed.filter(case=None).exists()
    cases = Case.objects.filter(pk__in=confirmed.values("case"))
    assert set(cases.values_list("channel", flat=True)) == {Case.Channel.SCREENING}
    assert not cases.filter(opened_at__gt=timezone.now()).exists()
    # Every student an alert was raised for was interviewed and confirmed.
    alerted = Response.objects.filter(participation__campaign=finished).exclude(critical_level="")
    assert set(alerted.values_list("participation_id", flat=True)) <= set(
        confirmed.values_list("participation_id", flat=True)
    )


def test_one_campaign_is_open_now_for_the_demo_students_class(loaded):
    student = Student.objects.get(user__username="student")
    (open_now,) = [c for c in Campaign.objects.all() if c.is_open()]
    mine = open_now.participations.get(student=student)
    states = Counter(open_now.participations.values_list("state", flat=True))

    assert list(open_now.classes.all()) == [student.school_class]
    assert mine.state == Participation.State.INVITED
    assert states["started"] >= 3 and states["submitted"] >= 1
    begun = Response.objects.filter(
        participation__campaign=open_now, participation__state=Participation.State.STARTED
    )
    assert begun.exists() and not begun.filter(scored_at__isnull=False).exists()


def test_the_demo_student_can_save_and_submit_the_open_questionnaire(loaded):
    user = User.objects.get(username="student")
    (open_now,) = [c for c in Campaign.objects.all() if c.is_open()]
    mine = open_now.participations.get(student__user=user)
    client = sign_in(Client(), user)
    who5 = {f"q{n}": 3 for n in range(1, 6)}
    cesd = {f"q{n}": 1 for n in range(1, 21)}

    saved = client.post(
        reverse("screening:save", args=[mine.pk]),
        {"scale": "who5", "answers": who5, "seq": 1},
        content_type="application/json",
    )
    submitted = client.post(
        reverse("screening:submit", args=[mine.pk]),
        {"answers": {"who5": who5, "cesd": cesd}},
        content_type="application/json",
    )

    assert saved.json() == {"ok": True, "seq": 1}
    assert submitted.json()["ok"] is True
    mine.refresh_from_db()
    assert mine.state == Participation.State.SUBMITTED
    assert mine.responses.filter(scored_at__isnull=False).count() == 2
