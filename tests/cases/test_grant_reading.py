"""Reading under an access grant (issue 16 item 1): only what is granted, on every path, until
its end; every read carries the grant in the access log."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import case_at
from xinqiao.cases import services_grants as services
from xinqiao.cases.models import AccessGrant, Severity
from xinqiao.core.models import AccessLog

GOALS = "两个月内恢复正常上学。"
MEASURES_NEEDED = "个体辅导，每周一次。"
RECORD_TEXT = "同伴冲突后的情绪"
CLOSING = "情况好转。"


@pytest.fixture
def case(cast):
    return case_at(cast, "closing", severity=Severity.SERIOUS)


def granted(cast, *, case=None, student=None, parts=("plan",)):
    grant = services.grant_request(
        actor=cast.duty,
        case=case,
        student=student,
        reason="家长来电询问帮扶安排。",
        ends_at=timezone.now() + datetime.timedelta(days=2),
        parts=["plan", "records", "assessment", "conferences"],
    )
    return services.grant_approve(actor=cast.director, grant=grant, parts=set(parts))


def refused_and_logged(client, path: str, user) -> None:
    response = client.get(path)
    assert response.status_code in (403, 404), (path, response.status_code)
    assert AccessLog.objects.filter(action="denied", actor_id=user.pk, path=path).exists(), path


def test_without_a_grant_the_duty_person_is_refused_the_case(cast, case, signed_in):
    client = signed_in(cast.duty)
    refused_and_logged(client, reverse("cases:case_detail", args=[case.pk]), cast.duty)


def test_the_not_found_page_points_staff_to_a_request_saying_nothing_of_the_case(
    cast, case, signed_in
):
    client = signed_in(cast.duty)
    existing = client.get(reverse("cases:case_detail", args=[case.pk]))
    missing = client.get(reverse("cases:case_detail", args=[case.pk + 1000]))
    assert existing.status_code == missing.status_code == 404
    for response in (existing, missing):
        page = response.content.decode()
        assert 'data-testid="ask-for-access"' in page and case.number not in page
    student = signed_in(cast.student).get(reverse("cases:case_detail", args=[case.pk]))
    assert 'data-testid="ask-for-access"' not in student.content.decode()


def test_the_case_page_shows_only_the_parts_granted_and_logs_the_grant(cast, case, signed_in):
    grant = granted(cast, case=case)
    client = signed_in(cast.duty)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert case.number in page and GOALS in page
    assert 'data-testid="read-under-grant"' in page
    for hidden in (MEASURES_NEEDED, CLOSING, "records-loading", "links-loading", "conferences"):
        assert hidden not in page, hidden
    read = AccessLog.objects.get(action="read", actor_id=cast.duty.pk)
    assert read.grant_id == grant.pk and read.basis == f"access grant #{grant.pk}"
    assert read.student_id == case.student_id


def test_a_narrowed_grant_leaks_through_no_fragment_part_page_or_getter(cast, case, signed_in):
    granted(cast, case=case)
    conference = case.conferences.get()
    referral_paths = [reverse("cases:consent_list", args=[case.pk])]
    client = signed_in(cast.duty)
    for path in [
        reverse("cases:case_records_part", args=[case.pk]),
        reverse("cases:case_links_part", args=[case.pk]),
        reverse("cases:case_records", args=[case.pk]),
        reverse("cases:conference_detail", args=[conference.pk]),
        reverse("screening:case_results", args=[case.pk]),
        *referral_paths,
    ]:
        refused_and_logged(client, path, cast.duty)


def test_the_records_fragment_opens_when_records_are_granted(cast, case, signed_in):
    grant = granted(cast, case=case, parts=("records",))
    client = signed_in(cast.duty)
    response = client.get(reverse("cases:case_records_part", args=[case.pk]))
    assert response.status_code == 200 and RECORD_TEXT in response.content.decode()
    assert AccessLog.objects.filter(action="read", grant_id=grant.pk).exists()
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert GOALS not in page and CLOSING in page


def test_the_api_shows_only_the_parts_granted(cast, case, signed_in):
    grant = granted(cast, case=case)
    client = signed_in(cast.duty)
    body = client.get(f"/api/cases/cases/{case.pk}").json()
    assert body["assessment"] is None and body["closing_summary"] == ""
    assert body["record_count"] == 0 and body["number"] == case.number
    assert client.get(f"/api/cases/cases/{case.pk}/records").status_code == 403
    assert AccessLog.objects.filter(action="read", grant_id=grant.pk).exists()


def test_a_file_grant_opens_the_file_narrowed_read_only(cast, case, signed_in):
    grant = granted(cast, student=cast.student_record)
    client = signed_in(cast.duty)
    file_url = reverse("cases:student_file", args=[cast.student_record.pk])
    page = client.get(file_url).content.decode()
    assert GOALS in page and RECORD_TEXT not in page and CLOSING not in page
    read = AccessLog.objects.get(action="read", actor_id=cast.duty.pk, path=file_url)
    assert read.grant_id == grant.pk
    for name in ("cases:student_file_print", "cases:student_file_export"):
        path = reverse(name, args=[cast.student_record.pk])
        assert client.get(path).status_code == 403


def test_expiry_and_revocation_refuse_the_very_next_request(cast, case, signed_in):
    grant = granted(cast, case=case)
    client = signed_in(cast.duty)
    path = reverse("cases:case_detail", args=[case.pk])
    assert client.get(path).status_code == 200
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    refused_and_logged(client, path, cast.duty)
    second = granted(cast, case=case)
    assert client.get(path).status_code == 200
    services.grant_revoke(actor=cast.director, grant=second)
    assert client.get(path).status_code == 404


def test_the_requester_sees_the_case_number_only_until_they_read_it(cast, case, signed_in):
    services.grant_request(
        actor=cast.duty,
        case=case,
        reason="家长来电询问帮扶安排。",
        ends_at=timezone.now() + datetime.timedelta(days=2),
        parts=["plan"],
    )
    page = signed_in(cast.duty).get(reverse("cases:grant_mine")).content.decode()
    assert case.number in page and case.student.name not in page


def test_asking_by_a_case_number_that_is_not_there_stores_nothing(cast, signed_in):
    client = signed_in(cast.duty)
    data = {
        "kind": "case",
        "case_number": "2026-999",
        "parts": ["plan"],
        "ends_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "reason": "家长来电询问帮扶安排。",
    }
    response = client.post(reverse("cases:grant_request"), data)
    assert response.status_code == 400 and "2026-999" in response.content.decode()
    assert not AccessGrant.objects.exists()


def test_the_director_decides_on_the_page_narrowing_and_shortening(cast, case, signed_in):
    client = signed_in(cast.duty)
    ends = timezone.localdate() + datetime.timedelta(days=5)
    data = {
        "kind": "case",
        "case_number": case.number,
        "parts": ["plan", "records"],
        "ends_on": ends.isoformat(),
        "reason": "家长来电询问帮扶安排。",
    }
    assert client.post(reverse("cases:grant_request"), data).status_code == 302
    grant = AccessGrant.objects.get()
    director = signed_in(cast.director)
    listing = director.get(reverse("cases:grant_list")).content.decode()
    assert f'data-testid="grant-{grant.pk}"' in listing
    shorter = (ends - datetime.timedelta(days=2)).isoformat()
    response = director.post(
        reverse("cases:grant_decide", args=[grant.pk]),
        {"decision": "approve", "parts": ["plan"], "ends_on": shorter},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.granted_parts == {"plan"} and timezone.localdate(grant.expires_at) < ends
    in_force = director.get(reverse("cases:grant_list"), {"state": "in_force"}).content.decode()
    assert f'data-testid="grant-{grant.pk}"' in in_force
    assert director.post(reverse("cases:grant_revoke", args=[grant.pk])).status_code == 302
    grant.refresh_from_db()
    assert grant.state == "revoked"


def test_the_api_asks_and_decides(cast, case, signed_in):
    client = signed_in(cast.duty)
    ends = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    created = client.post(
        "/api/cases/grants",
        {
            "kind": "case",
            "case_number": case.number,
            "ends_at": ends,
            "reason": "需要了解方案。",
            "parts": ["plan"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["case_number"] == case.number and body["student_id"] is None
    director = signed_in(cast.director)
    listed = director.get("/api/cases/grants", {"state": "requested"}).json()
    assert [g["id"] for g in listed["items"]] == [body["id"]]
    decided = director.post(
        f"/api/cases/grants/{body['id']}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["parts_granted"] == ["plan"]
    mine = signed_in(cast.duty).get("/api/cases/grants/mine").json()["items"]
    assert mine[0]["in_force"] is True
