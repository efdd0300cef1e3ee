"""The record requests' API: the guardian asks and downloads, the director decides and
releases, with the pages' rules; another family's guardian is told "not found"."""

from __future__ import annotations

import pytest

from tests.crisis.test_api import api
from tests.rights.factories import ASKED, other_family, records_of_child
from xinqiao.crisis.models import Disclosure
from xinqiao.rights.models import RecordRequest

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_request_goes_from_the_guardian_to_the_release_through_the_api(cast):
    shared, private = records_of_child(cast)
    guardian, director = api(cast.guardian), api(cast.director)
    body = {"child_id": cast.student_record.pk, "kind": "copy", "asked": ASKED, "key": "a1"}
    first = guardian.post("/api/rights/requests", body, JSON)
    again = guardian.post("/api/rights/requests", body, JSON)
    assert (first.status_code, again.status_code) == (201, 200)
    pk = first.json()["id"]
    assert again.json()["id"] == pk and RecordRequest.objects.count() == 1
    assert director.post(f"/api/rights/requests/{pk}/take-up").json()["state"] == "under_review"
    reviewed = api(cast.counselor).post(
        f"/api/rights/requests/{pk}/review",
        {"reviewed": [shared.pk, private.pk], "releasable": [shared.pk]},
        JSON,
    )
    assert reviewed.status_code == 200
    decided = director.post(f"/api/rights/requests/{pk}/decide", {"outcome": "release_all"}, JSON)
    assert decided.json()["state"] == "decided"
    assert director.post(f"/api/rights/requests/{pk}/release").json()["state"] == "released"
    copy = guardian.get(f"/api/rights/requests/{pk}/copy")
    assert copy.status_code == 200 and "no-store" in copy["Cache-Control"]
    assert [r["id"] for r in guardian.get("/api/rights/requests").json()] == [pk]
    assert Disclosure.objects.filter(source_type="rights.RecordRequest", source_id=str(pk))


def test_another_familys_guardian_neither_asks_for_nor_reads_this_child(cast):
    stranger, _child = other_family(cast)
    client = api(stranger)
    body = {"child_id": cast.student_record.pk, "kind": "copy", "asked": ASKED}
    assert client.post("/api/rights/requests", body, JSON).status_code == 404
    mine = api(cast.guardian).post("/api/rights/requests", body, JSON).json()["id"]
    assert client.get(f"/api/rights/requests/{mine}").status_code == 404
    assert client.get("/api/rights/requests").json() == []
    assert RecordRequest.objects.count() == 1


def test_a_refusal_without_reasons_is_a_bad_request_and_changes_nothing(cast):
    body = {"child_id": cast.student_record.pk, "kind": "copy", "asked": ASKED}
    pk = api(cast.guardian).post("/api/rights/requests", body, JSON).json()["id"]
    director = api(cast.director)
    director.post(f"/api/rights/requests/{pk}/take-up")
    refused = director.post(f"/api/rights/requests/{pk}/decide", {"outcome": "refuse"}, JSON)
    assert refused.status_code == 400
    assert RecordRequest.objects.get().state == "under_review"
