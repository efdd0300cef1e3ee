from __future__ import annotations

import pytest

from tests.conftest import sign_in
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


def test_openapi_schema_and_docs_are_served_without_a_cdn(client, cast):
    sign_in(client, cast.principal)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/me" in schema.json()["paths"]
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs


def _write_request(client, slot, **extra):
    return client.post(
        f"/api/rooms/slots/{slot.pk}/bookings",
        {"topic": "study", "person_name": "王老师", "for_kind": "teacher"},
        content_type="application/json",
        **extra,
    )


def test_a_token_writes_through_the_api_without_a_csrf_token(cast):
    """Issue 12 item 8: the cookie auth's CSRF check ran before the token was tried."""
    from django.test import Client

    from tests.rooms.appointment_factories import make_slot
    from xinqiao.rooms.models import Appointment

    slot = make_slot(cast.school, cast.counselor)
    _token, key = api_token_create(user=cast.duty, name="booking script")
    response = _write_request(Client(enforce_csrf_checks=True), slot, headers=bearer(key))
    assert response.status_code == 201, response.content
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_a_wrong_token_is_told_401_not_a_csrf_failure(cast):
    from django.test import Client

    from tests.rooms.appointment_factories import make_slot
    from xinqiao.rooms.models import Appointment

    slot = make_slot(cast.school, cast.counselor)
    response = _write_request(Client(enforce_csrf_checks=True), slot, headers=bearer("xq_no"))
    assert response.status_code == 401
    assert not Appointment.objects.filter(slot=slot).exists()


def test_a_session_write_without_the_csrf_token_is_refused_and_with_it_accepted(cast):
    from django.test import Client

    from tests.conftest import sign_in
    from tests.rooms.appointment_factories import make_slot
    from xinqiao.rooms.models import Appointment

    slot = make_slot(cast.school, cast.counselor)
    client = sign_in(Client(enforce_csrf_checks=True), cast.duty)
    refused = _write_request(client, slot)
    assert refused.status_code == 403
    assert not Appointment.objects.filter(slot=slot).exists()

    client.get("/accounts/security/")  # any page sets the CSRF cookie
    token = client.cookies["xinqiao_csrf"].value
    accepted = _write_request(client, slot, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content
    assert Appointment.objects.filter(slot=slot).count() == 1


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/docs"])
def test_the_api_schema_and_docs_are_for_signed_in_staff_only(client, cast, path):
    """Issue 12 item 17: they answered without sign-in."""
    assert client.get(path).status_code == 401
    client.force_login(cast.counselor)  # the password only: the second factor is still owed
    assert client.get(path).status_code == 401
    sign_in(client, cast.student)
    assert client.get(path).status_code == 403
    sign_in(client, cast.counselor)
    assert client.get(path).status_code == 200


def test_a_staff_token_reads_the_api_schema(client, cast):
    _token, key = api_token_create(user=cast.principal, name="client generator")
    response = client.get("/api/openapi.json", headers=bearer(key))
    assert response.status_code == 200
    assert "/api/me" in response.json()["paths"]


def test_a_list_refuses_a_page_larger_than_the_maximum(client, cast):
    """Issue 12 item 17: ``limit=100000`` returned the whole roster. Refused with 422 (the
    schema states the maximum, so a script learns it rather than silently getting less)."""
    from django.conf import settings

    sign_in(client, cast.principal)
    maximum = settings.NINJA_PAGINATION_MAX_LIMIT
    assert client.get("/api/people/students", {"limit": maximum}).status_code == 200
    for limit in (maximum + 1, 100000):
        assert client.get("/api/people/students", {"limit": limit}).status_code == 422
    schema = client.get("/api/openapi.json").json()
    parameters = schema["paths"]["/api/people/students"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["schema"]["maximum"] == maximum


def test_a_list_refuses_an_offset_no_database_can_count_to(client, cast):
    sign_in(client, cast.principal)
    response = client.get("/api/people/students", {"offset": 10**30})
    assert response.status_code == 422
