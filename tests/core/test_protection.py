"""Issue 12: what a signed-in person reads is not cached (item 6); a person who probes for
records they may not open is turned away and the director is told (item 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from xinqiao.core.models import AccessLog, Notification

pytestmark = pytest.mark.django_db
SRC = Path(settings.BASE_DIR)


def test_a_signed_in_page_and_an_api_answer_are_never_stored(cast, signed_in):
    client = signed_in(cast.counselor)
    for response in (client.get(reverse("core:home")), client.get("/api/me")):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_a_student_probing_made_up_case_ids_is_turned_away_and_the_director_told_once(
    cast, signed_in, settings
):
    """The attack of issue 12: a student asked for made-up case ids in a loop (627 refusal
    rows in 4.5 s). Here 40 requests, with a limit of 10 a minute."""
    settings.REFUSALS_PER_MINUTE = 10
    client = signed_in(cast.student)

    statuses = [
        client.get(reverse("cases:case_detail", args=[900_000 + n])).status_code for n in range(40)
    ]

    assert statuses == [404] * 10 + [429] * 30
    refused = AccessLog.objects.filter(actor_username=cast.student.username, action="denied")
    assert refused.count() == 10
    told = Notification.objects.filter(level="urgent")
    assert list(told.values_list("recipient__username", flat=True)) == [cast.director.username]
    assert f"({cast.student.username})" in told.get().body
    api = client.get("/api/cases/cases/900001")
    assert api.status_code == 429 and api["Retry-After"] == "60"
    assert Notification.objects.filter(level="urgent").count() == 1


def test_refusals_below_the_limit_tell_nobody(cast, signed_in, settings):
    settings.REFUSALS_PER_MINUTE = 10
    client = signed_in(cast.student)
    for n in range(9):
        assert client.get(reverse("cases:case_detail", args=[900_000 + n])).status_code == 404
    assert not Notification.objects.filter(level="urgent").exists()


def test_every_response_carries_a_policy_without_inline_script(client):
    policy = client.get(reverse("core:login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_holds_inline_script_or_an_event_handler_attribute():
    """The policy would block them: behaviour goes in static/js with data attributes."""
    offending = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("templates/**/*.html")
        if INLINE_SCRIPT.search(text := path.read_text(encoding="utf-8"))
        or INLINE_HANDLER.search(text)
    ]
    assert offending == []
