from __future__ import annotations

import pytest

from xinqiao.core.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_a_token_signs_in_to_the_api(client, cast):
    _token, key = api_token_create(user=cast.principal, name="report script")
    response = client.get("/api/me", headers=bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "principal"
    assert body["roles"][0]["role"] == "principal"


def test_a_wrong_or_revoked_token_is_refused(client, cast):
    from xinqiao.core.services import api_token_revoke

    token, key = api_token_create(user=cast.principal, name="x")
    assert client.get("/api/me", headers=bearer("xq_wrong")).status_code == 401
    api_token_revoke(token=token)
    assert client.get("/api/me", headers=bearer(key)).status_code == 401


def test_school_list_shows_only_the_callers_schools(client, cast):
    _token, key = api_token_create(user=cast.principal, name="x")
    body = client.get("/api/people/schools", headers=bearer(key)).json()
    assert [item["code"] for item in body["items"]] == [cast.school.code]
    foreign = client.get(f"/api/people/schools/{cast.other_school.pk}", headers=bearer(key))
    assert foreign.status_code == 404


def test_the_session_api_needs_the_csrf_token_for_writes(cast):
    from django.test import Client

    from tests.conftest import sign_in

    client = Client(enforce_csrf_checks=True)
    sign_in(client, cast.principal)
    assert client.get("/api/me").status_code == 200


def test_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/me" in schema.json()["paths"]
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs
