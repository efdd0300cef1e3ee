"""The privacy API keeps the pages' rules: the log in keyset pages (with content for the
director, without for the supervision group), the flags and their review (directors)."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import make_students, read_files
from xinqiao.core.models import AccessLog
from xinqiao.core.services import api_token_create
from xinqiao.privacy.services import flags_scan

pytestmark = pytest.mark.django_db
LOG = "/api/privacy/log"


def bearer(user) -> dict:
    _token, key = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_director_pages_one_persons_reads_by_keyset(cast, client):
    pupils = make_students(cast, 60)
    read_files(cast.counselor, pupils)
    auth = bearer(cast.director)
    first = client.get(LOG, {"actor": cast.counselor.pk}, **auth).json()
    assert len(first["items"]) == 50 and first["next_before"] == first["items"][-1]["seq"]
    assert first["items"][0]["student"].startswith(pupils[-1].name)
    rest = client.get(LOG, {"actor": cast.counselor.pk, "before": first["next_before"]}, **auth)
    rest = rest.json()
    assert len(rest["items"]) == 10 and rest["next_before"] is None
    seqs = [item["seq"] for item in first["items"] + rest["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 60
    assert (
        AccessLog.objects.filter(actor_id=cast.director.pk, object_type="core.AccessLog").count()
        == 2
    )


def test_the_director_filters_by_student_in_the_api(cast, client):
    pupils = make_students(cast, 3)
    read_files(cast.counselor, pupils)
    items = client.get(LOG, {"student": pupils[1].pk}, **bearer(cast.director)).json()["items"]
    assert [item["student_id"] for item in items] == [pupils[1].pk]


def test_the_supervision_group_gets_rows_without_content(cast, client):
    pupils = make_students(cast, 2)
    read_files(cast.counselor, pupils, grant_id=5)
    response = client.get(LOG, {"student": pupils[0].pk}, **bearer(cast.supervisor))
    items = [i for i in response.json()["items"] if i["username"] == cast.counselor.username]
    assert len(items) == 2  # the student filter is not applied
    for item in items:
        assert item["content"] is False
        assert item["student"] is item["student_id"] is item["grant_id"] is item["basis"] is None
    assert pupils[0].name not in response.content.decode()


def test_others_are_refused_the_log_and_nothing_is_written(cast, client):
    for person in (cast.admin, cast.counselor, cast.student):
        before = AccessLog.objects.count()
        assert client.get(LOG, **bearer(person)).status_code == 403
        assert AccessLog.objects.count() == before


def test_flags_are_listed_and_reviewed_once_through_the_api(cast, client):
    read_files(cast.counselor, make_students(cast, 30))
    flag = flags_scan()[0]
    auth = bearer(cast.director)
    listed = client.get("/api/privacy/flags", {"reviewed": "false"}, **auth).json()
    assert [item["id"] for item in listed["items"]] == [flag.pk]
    path = f"/api/privacy/flags/{flag.pk}/review"
    done = client.post(path, {"note": "已核实"}, content_type="application/json", **auth)
    assert done.status_code == 200 and done.json()["reviewed_at"]
    again = client.post(path, {"note": "再次"}, content_type="application/json", **auth)
    assert again.status_code == 400
    flag.refresh_from_db()
    assert flag.review_note == "已核实"
    refused = client.post(
        path, {"note": "x"}, content_type="application/json", **bearer(cast.supervisor)
    )
    assert refused.status_code in (403, 404)
    assert client.get("/api/privacy/flags", **bearer(cast.supervisor)).status_code == 403
