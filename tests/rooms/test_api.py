"""The rooms API follows the pages' rules: free slots, bookings, cancelling, the roster."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.rooms.appointment_factories import (
    RoomFactory,
    at,
    make_appointment,
    make_slot,
    make_student,
)
from xinqiao.core.services import api_token_create
from xinqiao.rooms.models import Appointment, DutyShift

pytestmark = pytest.mark.django_db


def post_json(client, path: str, data: dict):
    return client.post(path, data, content_type="application/json")


def test_free_slots_of_the_callers_school_only_with_filters(cast, signed_in):
    free = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    other_counselor = make_slot(cast.school, cast.director, starts_at=at(3, 10))
    taken = make_slot(cast.school, cast.counselor, starts_at=at(2, 11))
    make_appointment(taken, make_student(cast.school, 2))
    foreign = make_slot(cast.other_school, cast.outsider, starts_at=at(2, 10))
    client = signed_in(cast.student)
    ids = [s["id"] for s in client.get("/api/rooms/slots").json()["items"]]
    assert ids == [free.pk, other_counselor.pk]
    assert foreign.pk not in ids
    by_counselor = client.get("/api/rooms/slots", {"counselor_id": cast.director.pk}).json()
    assert [s["id"] for s in by_counselor["items"]] == [other_counselor.pk]
    by_day = client.get(
        "/api/rooms/slots", {"day": timezone.localtime(free.starts_at).date().isoformat()}
    ).json()
    assert [s["id"] for s in by_day["items"]] == [free.pk]
    assert by_day["items"][0]["places_left"] == 1
    assert by_day["items"][0]["counselor_name"] == cast.counselor.display_name


def test_a_student_books_their_own_place_and_sees_it_in_their_bookings(cast, signed_in):
    slot = make_slot(cast.school, cast.counselor)
    client = signed_in(cast.student)
    response = post_json(client, f"/api/rooms/slots/{slot.pk}/bookings", {"topic": "feelings"})
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["topic"], body["slot"]["id"]) == ("booked", "feelings", slot.pk)
    mine = client.get("/api/rooms/bookings").json()["items"]
    assert [b["id"] for b in mine] == [body["id"]]


def test_a_student_cannot_book_for_someone_else_through_the_api(cast, signed_in):
    slot = make_slot(cast.school, cast.counselor)
    other = make_student(cast.school, 2)
    response = post_json(
        signed_in(cast.student),
        f"/api/rooms/slots/{slot.pk}/bookings",
        {"topic": "study", "student_id": other.pk},
    )
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_a_taken_slot_answers_409_with_the_next_free_slots(cast, signed_in):
    slot = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    later = make_slot(cast.school, cast.counselor, starts_at=at(2, 11))
    make_appointment(slot, make_student(cast.school, 2))
    response = post_json(
        signed_in(cast.student), f"/api/rooms/slots/{slot.pk}/bookings", {"topic": "study"}
    )
    assert response.status_code == 409
    assert [s["id"] for s in response.json()["next_slots"]] == [later.pk]


def test_staff_book_for_a_teacher_with_a_token(cast, client):
    _token, key = api_token_create(user=cast.duty, name="前台手机")
    slot = make_slot(cast.school, cast.counselor)
    response = client.post(
        f"/api/rooms/slots/{slot.pk}/bookings",
        {"for_kind": "teacher", "person_name": "王老师", "topic": "other"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201
    appointment = Appointment.objects.get()
    assert (appointment.for_kind, appointment.booked_by) == ("teacher", cast.duty)
    missing_name = client.post(
        f"/api/rooms/slots/{make_slot(cast.school, cast.counselor).pk}/bookings",
        {"for_kind": "teacher", "topic": "other"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert missing_name.status_code == 400


def test_a_slot_of_another_school_is_not_found(cast, signed_in):
    foreign = make_slot(cast.other_school, cast.outsider)
    response = post_json(
        signed_in(cast.duty), f"/api/rooms/slots/{foreign.pk}/bookings", {"topic": "study"}
    )
    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_cancelling_needs_a_reason_and_only_the_owner_or_staff_may(cast, signed_in):
    appointment = make_appointment(make_slot(cast.school, cast.counselor), cast.student_record)
    path = f"/api/rooms/bookings/{appointment.pk}/cancel"
    other = make_student(cast.school, 2)
    assert post_json(signed_in(other.user), path, {"reason": "x"}).status_code == 404
    client = signed_in(cast.student)
    assert post_json(client, path, {"reason": ""}).status_code == 400
    appointment.refresh_from_db()
    assert (appointment.state, appointment.state_reason) == ("booked", "")
    response = post_json(client, path, {"reason": "身体不舒服"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["state_reason"]) == (
        "cancelled",
        "身体不舒服",
    )


def test_the_published_roster_for_those_on_duty(cast, signed_in):
    room = RoomFactory(school=cast.school)
    day = timezone.localdate() + datetime.timedelta(days=1)
    common = {"school": cast.school, "room": room, "semester": cast.semester, "date": day}
    mine = DutyShift.objects.create(
        **common,
        starts_at=datetime.time(12, 0),
        ends_at=datetime.time(13, 0),
        user=cast.duty,
        published=True,
    )
    colleague = DutyShift.objects.create(
        **common,
        starts_at=datetime.time(16, 0),
        ends_at=datetime.time(17, 0),
        user=cast.counselor,
        published=True,
    )
    DutyShift.objects.create(
        **common, starts_at=datetime.time(18, 0), ends_at=datetime.time(19, 0), user=cast.duty
    )
    client = signed_in(cast.duty)
    items = client.get("/api/rooms/shifts").json()["items"]
    assert [(s["id"], s["is_mine"]) for s in items] == [(mine.pk, True), (colleague.pk, False)]
    only_mine = client.get("/api/rooms/shifts", {"mine": "true"}).json()["items"]
    assert [s["id"] for s in only_mine] == [mine.pk]
    assert signed_in(cast.student).get("/api/rooms/shifts").status_code == 403
