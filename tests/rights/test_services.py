"""A guardian's record request through its services: who may ask, the deadline, the states,
the counselor's review before any session record leaves, the register, the watermark and a
correction that keeps the record as it was."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.rights.factories import (
    ASKED,
    PRIVATE,
    SHARED,
    other_family,
    records_of_child,
    request_at,
)
from xinqiao.core.models import AccessLog, Notification
from xinqiao.crisis.models import Disclosure
from xinqiao.rights import services
from xinqiao.rights.models import RecordCorrection, RecordRequest

pytestmark = pytest.mark.django_db


def docx_xml(content: bytes) -> str:
    """Every part of the Word file (body, headers, footers) as one text."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        )


def test_a_linked_guardian_asks_and_the_answer_is_due_in_thirty_days(cast):
    item = request_at(cast, "received")
    assert item.state == RecordRequest.State.RECEIVED
    assert item.due_at - item.received_at == datetime.timedelta(days=30)
    assert item.days_left() == 30
    told = Notification.objects.get(recipient=cast.director, title__contains=item.number)
    assert ASKED not in told.title + told.body


def test_another_familys_guardian_cannot_ask_for_this_child(cast):
    stranger, _child = other_family(cast)
    with pytest.raises(ValidationError):
        services.request_submit(
            actor=stranger, student=cast.student_record, kind="copy", asked=ASKED
        )
    assert not RecordRequest.objects.exists()


def test_a_double_submission_stores_one_request(cast):
    first = services.request_submit(
        actor=cast.guardian,
        student=cast.student_record,
        kind="copy",
        asked=ASKED,
        submission_key="k1",
    )
    again = services.request_submit(
        actor=cast.guardian,
        student=cast.student_record,
        kind="copy",
        asked=ASKED,
        submission_key="k1",
    )
    assert first.pk == again.pk and RecordRequest.objects.count() == 1


def test_the_state_machine_refuses_skipped_steps(cast):
    item = request_at(cast, "received")
    with pytest.raises(ValidationError):
        services.request_decide(actor=cast.director, request=item, outcome="release_all")
    item.refresh_from_db()
    assert item.state == RecordRequest.State.RECEIVED and item.outcome == ""
    services.request_take_up(actor=cast.director, request=item)
    with pytest.raises(ValidationError):
        services.request_release(actor=cast.director, request=item)
    item.refresh_from_db()
    assert item.state == RecordRequest.State.UNDER_REVIEW and not item.released_copy


def test_the_guardian_withdraws_before_the_decision_only(cast):
    item = request_at(cast, "under_review")
    services.request_withdraw(actor=cast.guardian, request=item)
    assert item.state == RecordRequest.State.WITHDRAWN
    released = request_at(cast, "released")
    with pytest.raises(ValidationError):
        services.request_withdraw(actor=cast.guardian, request=released)


def test_a_refusal_needs_reasons_and_closes_the_request(cast):
    item = request_at(cast, "under_review")
    with pytest.raises(ValidationError):
        services.request_decide(actor=cast.director, request=item, outcome="refuse")
    item.refresh_from_db()
    assert item.state == RecordRequest.State.UNDER_REVIEW
    services.request_decide(
        actor=cast.director, request=item, outcome="refuse", reasons="记录涉及第三方隐私"
    )
    item.refresh_from_db()
    assert (item.state, item.outcome) == ("closed", "refuse")
    assert Notification.objects.filter(recipient=cast.guardian, title__contains=item.number)


def test_session_notes_are_released_only_as_the_counselor_reviewed_them(cast):
    shared, _private = records_of_child(cast)
    item = request_at(cast, "under_review")
    services.notes_review(
        actor=cast.counselor, request=item, reviewed=[shared.pk], releasable=[shared.pk]
    )
    # The private note is not reviewed: release all still leaves it out.
    services.request_decide(actor=cast.director, request=item, outcome="release_all")
    services.request_release(actor=cast.director, request=item)
    text = docx_xml(services.released_copy(item))
    assert SHARED in text
    assert PRIVATE not in text


def test_a_counselor_without_the_case_cannot_review_its_notes(cast):
    shared, _private = records_of_child(cast)
    item = request_at(cast, "under_review")
    with pytest.raises(ValidationError):
        services.notes_review(
            actor=cast.second_counselor, request=item, reviewed=[shared.pk], releasable=[shared.pk]
        )
    assert not item.reviews.exists()


def test_a_partial_release_holds_only_the_parts_decided(cast):
    item = request_at(cast, "under_review")
    services.request_decide(
        actor=cast.director,
        request=item,
        outcome="release_part",
        parts=["basic"],
        reasons="辅导记录暂不提供",
    )
    services.request_release(actor=cast.director, request=item)
    text = docx_xml(services.released_copy(item))
    assert "2026070101" in text  # the student number, in the basic information
    assert SHARED not in text and "两个月内恢复正常上学" not in text


def test_the_released_copy_is_watermarked_on_every_page(cast):
    item = request_at(cast, "released")
    with zipfile.ZipFile(io.BytesIO(services.released_copy(item))) as archive:
        headers = [archive.read(n).decode() for n in archive.namelist() if "header" in n]
        footers = [archive.read(n).decode() for n in archive.namelist() if "footer" in n]
    mark = f"何妈妈 · {timezone.localdate().isoformat()} · "
    assert all(item.number in part and mark in part for part in headers + footers if "<w:p" in part)
    assert any("v:textpath" in header and item.number in header for header in headers)


def test_decision_and_release_are_in_the_disclosure_register_and_the_access_log(cast):
    item = request_at(cast, "released")
    entries = Disclosure.objects.filter(student=cast.student_record, recipient_kind="guardian")
    assert entries.count() == 2
    release = entries.get(source_type="rights.RecordRequest")
    assert item.number in release.what and release.ground == Disclosure.Ground.LAW
    assert release.decided_by == cast.director
    actions = set(
        AccessLog.objects.filter(
            object_type="rights.RecordRequest", object_id=str(item.pk)
        ).values_list("action", flat=True)
    )
    assert {"disclose", "export"} <= actions


def test_an_accepted_correction_is_a_note_beside_the_record_kept_as_it_was(cast):
    shared, _private = records_of_child(cast)
    item = request_at(cast, "under_review", kind="correction")
    services.request_decide(
        actor=cast.director,
        request=item,
        outcome="accept",
        record=shared,
        correction_text="当天学生没有与同学发生肢体冲突",
    )
    item.refresh_from_db()
    shared.refresh_from_db()
    assert item.state == RecordRequest.State.CLOSED
    correction = RecordCorrection.objects.get(request=item)
    assert correction.record == shared and correction.applied_by == cast.director
    assert shared.measures_taken == SHARED  # the record itself is unchanged
    history = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RecordRequest), object_pk=str(item.pk)
    )
    assert history.count() >= 3  # received, under review, decided, closed
    assert all("肢体冲突" not in str(entry.changes) for entry in LogEntry.objects.all())


def test_a_refused_correction_tells_the_guardian_why(cast, client):
    from tests.conftest import sign_in

    item = request_at(cast, "under_review", kind="correction")
    services.request_decide(
        actor=cast.director,
        request=item,
        outcome="refuse",
        reasons="记录与当天值班记录一致，不予更正",
    )
    page = sign_in(client, cast.guardian).get(f"/rights/{item.pk}/")
    assert "记录与当天值班记录一致" in page.content.decode()
    assert not RecordCorrection.objects.exists()


def test_the_director_is_reminded_once_a_day_of_requests_due_soon_or_overdue(cast):
    soon = request_at(cast, "received")
    late = request_at(cast, "under_review")
    far = request_at(cast, "received")
    now = timezone.now()
    month = datetime.timedelta(days=30)
    for item, due in (
        (soon, now + datetime.timedelta(days=5)),
        (late, now - datetime.timedelta(days=2)),
    ):
        RecordRequest.objects.filter(pk=item.pk).update(received_at=due - month, due_at=due)
    before = Notification.objects.filter(recipient=cast.director).count()
    assert services.requests_remind(now=now) == 2
    assert services.requests_remind(now=now) == 0
    told = Notification.objects.filter(recipient=cast.director).order_by("-pk")
    assert told.count() == before + 1
    assert "1" in told.first().title
    assert far.pk not in {soon.pk, late.pk}
