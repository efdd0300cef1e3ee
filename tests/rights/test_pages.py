"""The pages of a guardian's request: the guardian's form and list, the director's list by
deadline with its filters, the review and the decision, the download."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import make_user
from tests.rights.factories import ASKED, other_family, records_of_child, request_at
from tests.rights.test_services import docx_xml
from xinqiao.rights.models import NoteReview, RecordRequest

pytestmark = pytest.mark.django_db


def test_a_guardian_with_one_child_does_not_choose_and_sees_the_due_date(cast, client):
    sign_in(client, cast.guardian)
    form = client.get("/rights/ask/").content.decode()
    assert 'type="hidden" name="child"' in form
    response = client.post(
        "/rights/ask/", {"kind": "copy", "asked": ASKED, "submission_key": "once"}
    )
    item = RecordRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/rights/{item.pk}/"
    assert item.student == cast.student_record and item.guardian == cast.guardian
    mine = client.get("/rights/mine/").content.decode()
    assert item.number in mine
    assert timezone.localdate(item.due_at).isoformat() in mine


def test_a_guardian_of_two_children_chooses_one_of_their_own(cast, client):
    from xinqiao.people.models import Guardian, GuardianLink, Student

    stranger, other_child = other_family(cast)
    younger = Student.objects.create(
        school=cast.school,
        user=make_user("student", school=cast.school, username="younger"),
        name="李小刚",
        student_number="2026070103",
        school_class=cast.school_class,
    )
    GuardianLink.objects.create(
        guardian=Guardian.objects.get(user=stranger), student=younger, relation="father"
    )
    sign_in(client, stranger)
    page = client.get("/rights/ask/").content.decode()
    assert other_child.name in page and younger.name in page
    assert cast.student_record.name not in page
    refused = client.post(
        "/rights/ask/",
        {"child": cast.student_record.pk, "kind": "copy", "asked": ASKED, "submission_key": "x"},
    )
    assert refused.status_code == 400 and not RecordRequest.objects.exists()
    client.post(
        "/rights/ask/",
        {"child": younger.pk, "kind": "copy", "asked": ASKED, "submission_key": "y"},
    )
    assert RecordRequest.objects.get().student == younger


def test_a_correction_without_its_text_keeps_what_was_typed_and_saves_nothing(cast, client):
    sign_in(client, cast.guardian)
    response = client.post(
        "/rights/ask/",
        {"kind": "correction", "asked": "记录有误", "record_reference": "10月12日",
         "submission_key": "k"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "记录有误" in page and "10月12日" in page
    assert not RecordRequest.objects.exists()


def test_a_double_submission_of_the_form_stores_one_request(cast, client):
    sign_in(client, cast.guardian)
    data = {"kind": "copy", "asked": ASKED, "submission_key": "twice"}
    client.post("/rights/ask/", data)
    client.post("/rights/ask/", data)
    assert RecordRequest.objects.count() == 1


def test_another_familys_guardian_is_told_not_found(cast, client):
    item = request_at(cast, "released")
    stranger, _child = other_family(cast)
    sign_in(client, stranger)
    assert client.get(f"/rights/{item.pk}/").status_code == 404
    assert client.get(f"/rights/{item.pk}/copy/").status_code == 404
    assert client.post(f"/rights/{item.pk}/withdraw/").status_code == 404
    item.refresh_from_db()
    assert item.state == RecordRequest.State.RELEASED


def test_the_directors_list_is_sorted_by_deadline_and_filters_overdue_and_due_soon(cast, client):
    late, soon, far = (request_at(cast, "received") for _ in range(3))
    now = timezone.now()
    month = datetime.timedelta(days=30)
    for item, days in ((late, -3), (soon, 4), (far, 20)):
        due = now + datetime.timedelta(days=days)
        RecordRequest.objects.filter(pk=item.pk).update(received_at=due - month, due_at=due)
    late.refresh_from_db()
    sign_in(client, cast.director)
    page = client.get("/rights/").content.decode()
    assert page.index(late.number) < page.index(soon.number) < page.index(far.number)
    overdue = client.get("/rights/?due=overdue").content.decode()
    assert late.number in overdue and soon.number not in overdue
    assert "3" in overdue.split(late.number)[1].split("</tr>")[0]
    due_soon = client.get("/rights/?due=soon").content.decode()
    assert soon.number in due_soon and late.number not in due_soon and far.number not in due_soon


def test_the_counselor_reviews_and_the_director_decides_and_releases_on_the_pages(cast, client):
    shared, private = records_of_child(cast)
    item = request_at(cast, "received")
    director = sign_in(client, cast.director)
    director.post(f"/rights/{item.pk}/take-up/")
    sign_in(client, cast.counselor)
    page = client.get(f"/rights/{item.pk}/").content.decode()
    assert 'data-testid="review-section"' in page
    client.post(
        f"/rights/{item.pk}/review/",
        {"reviewed": [shared.pk, private.pk], "releasable": [shared.pk]},
    )
    assert set(NoteReview.objects.values_list("record_id", "may_release")) == {
        (shared.pk, True),
        (private.pk, False),
    }
    sign_in(client, cast.director)
    refused = client.post(f"/rights/{item.pk}/decide/", {"outcome": "release_part"})
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.state == RecordRequest.State.UNDER_REVIEW
    client.post(
        f"/rights/{item.pk}/decide/",
        {"outcome": "release_part", "parts": ["cases", "records"], "reasons": "基本信息学校已有"},
    )
    client.post(f"/rights/{item.pk}/release/")
    item.refresh_from_db()
    assert item.state == RecordRequest.State.RELEASED
    sign_in(client, cast.guardian)
    download = client.get(f"/rights/{item.pk}/copy/")
    assert download["Content-Disposition"].endswith(f'{item.number}.docx"')
    text = docx_xml(download.content)
    assert "倾听" in text and "家庭冲突" not in text
    assert "基本信息学校已有" in client.get(f"/rights/{item.pk}/").content.decode()
