"""Sessions read through the cache (``cached_db``, chosen when the deployment has Redis: issue
15's answering path spares its session query): ending a session works as it does with the
database alone, and a respondent at a shared computer answers through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.screening.factories import open_campaign, participation_of, phq9_answers
from xinqiao.screening.models import ClassCode, Participation, Response
from xinqiao.screening.services import answers_of

pytestmark = pytest.mark.django_db

CACHED = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def _cached_sessions(settings):
    settings.SESSION_ENGINE = CACHED
    cache.clear()
    yield
    cache.clear()


def _signed_in_elsewhere(user) -> Client:
    elsewhere = Client()
    elsewhere.force_login(user)
    assert elsewhere.get("/").status_code == 200  # now in the cache too
    return elsewhere


def test_redis_deployments_read_sessions_through_the_cache():
    def engine(**extra: str) -> str:
        env = {**os.environ, **extra}
        code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
        return subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**env, "DJANGO_SETTINGS_MODULE": "xinqiao.settings"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert engine(XINQIAO_REDIS_URL="redis://127.0.0.1:6379/9") == CACHED
    # Without Redis the cache is a folder that culls at 300 entries: sessions stay in the
    # database.
    assert engine(XINQIAO_REDIS_URL="") == "django.contrib.sessions.backends.db"


def test_sign_out_everywhere_ends_a_cached_session(client, cast, signed_in):
    other_device = _signed_in_elsewhere(cast.principal)
    signed_in(cast.principal)

    client.post(reverse("core:sign_out_everywhere"))

    assert other_device.get("/").status_code == 302


def test_disabling_an_account_ends_its_cached_sessions(cast):
    elsewhere = _signed_in_elsewhere(cast.principal)

    cast.principal.is_active = False
    cast.principal.save()
    cast.principal.is_active = True
    cast.principal.save()

    assert elsewhere.get("/").status_code == 302


def test_signing_out_removes_the_session_from_the_cache_and_the_database(client, cast, signed_in):
    signed_in(cast.principal)
    assert client.get("/").status_code == 200
    key = client.session.session_key

    client.post(reverse("core:logout"))

    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    client.cookies["xinqiao_session"] = key  # the old cookie, kept by someone
    assert client.get("/").status_code == 302


@pytest.mark.usefixtures("demo_wordings")
def test_a_shared_computer_answers_saves_and_submits_through_a_cached_session(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    computer = Client()
    code = ClassCode.objects.get(campaign=campaign).code
    computer.post(
        reverse("screening:class_code"),
        {"code": code, "student_number": "2026070101", "name": "何小明"},
    )
    save = reverse("screening:save", args=[participation.pk])
    submit = reverse("screening:submit", args=[participation.pk])

    def post(url, data):
        return computer.post(url, json.dumps(data), content_type="application/json")

    assert post(save, {"scale": "phq9", "answers": {"q1": 2}, "seq": 1}).json()["ok"]
    assert post(save, {"scale": "phq9", "answers": {"q1": 3, "q2": 1}, "seq": 2}).json()["ok"]
    assert answers_of(Response.objects.get(participation=participation)) == {"q1": 3, "q2": 1}
    answers = phq9_answers(1, 1, 1, 1, 1, 0, 0, 0, 0)
    assert post(submit, {"answers": {"phq9": answers}}).json()["ok"]

    participation.refresh_from_db()
    assert participation.state == Participation.State.SUBMITTED
    # The session forgot the participation in the cache as in the database: the next student
    # at this computer cannot change it.
    assert post(save, {"scale": "phq9", "answers": {"q1": 0}, "seq": 9}).status_code == 302
    stored = Session.objects.get(session_key=computer.session.session_key).get_decoded()
    assert "screening_participation_ids" not in stored
