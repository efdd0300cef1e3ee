"""The research export API: the same rules, service and access log as the pages."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from tests.reports.research_data import cases_for, classmates, data_rows
from xinqiao.core.models import AccessLog
from xinqiao.reports.models import ResearchExport

pytestmark = pytest.mark.django_db


def body(cast, **changes) -> dict:
    return {
        "school_id": cast.school.pk,
        "period_start": "2026-01-01",
        "period_end": timezone.localdate().isoformat(),
        **changes,
    }


def post_json(client, data: dict):
    return client.post("/api/reports/research-exports", data, content_type="application/json")


def test_the_director_asks_follows_and_downloads_an_export(
    cast, signed_in, django_capture_on_commit_callbacks
):
    cases_for(cast, classmates(cast, 6))
    client = signed_in(cast.director)

    with django_capture_on_commit_callbacks(execute=True):
        made = post_json(client, body(cast, submission_key="once"))
    assert made.status_code == 201
    export_id = made.json()["id"]
    assert made.json()["k"] == 5  # the default
    detail = client.get(f"/api/reports/research-exports/{export_id}").json()
    listed = client.get("/api/reports/research-exports").json()
    file = client.get(f"/api/reports/research-exports/{export_id}/file")

    assert detail["status"] == "done" and detail["rows_released"] == 6
    assert [e["id"] for e in listed["items"]] == [export_id]
    assert file.status_code == 200 and "no-store" in file["Cache-Control"]
    assert hashlib.sha256(file.content).hexdigest() == detail["file_sha256"]
    _headings, rows = data_rows(file.content)
    assert len(rows) == 6
    assert AccessLog.objects.filter(
        action="export", object_type="reports.ResearchExport", path__startswith="/api/"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        again = post_json(client, body(cast, submission_key="once"))
    assert again.json()["id"] == export_id
    assert ResearchExport.objects.count() == 1


def test_another_schools_director_is_refused_and_nothing_is_made(cast, signed_in):
    response = post_json(signed_in(cast.foreign_director), body(cast))

    assert response.status_code == 403
    assert not ResearchExport.objects.exists()


def test_a_bad_period_or_k_is_a_400_and_nothing_is_made(cast, signed_in):
    client = signed_in(cast.director)

    backwards = post_json(client, body(cast, period_start="2026-09-01", period_end="2026-01-01"))
    too_small = post_json(client, body(cast, k=1))

    assert backwards.status_code == too_small.status_code == 400
    assert "结束日期不能早于开始日期" in backwards.json()["detail"]
    assert not ResearchExport.objects.exists()


def test_a_counselor_cannot_read_an_export_and_the_refusal_is_logged(
    cast, signed_in, django_capture_on_commit_callbacks
):
    cases_for(cast, classmates(cast, 5))
    with django_capture_on_commit_callbacks(execute=True):
        export_id = post_json(signed_in(cast.director), body(cast)).json()["id"]

    response = signed_in(cast.counselor).get(f"/api/reports/research-exports/{export_id}/file")

    assert response.status_code == 404
    assert AccessLog.objects.filter(action="denied", actor_username="counselor").exists()
    assert ResearchExport.objects.get().downloads == 0
