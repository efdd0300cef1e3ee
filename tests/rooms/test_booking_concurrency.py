"""Fifty students try to book the same last slot at the same instant (issue 5's bar).

Real threads, each with its own database connection, released together by a barrier: exactly
one booking exists afterwards, and every other student is answered "taken, here are the next
free slots". The database decides (the partial unique constraint on ``exclusive_slot``), so
this holds on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django.test import Client

from tests.conftest import sign_in
from tests.rooms.appointment_factories import at, make_group_slot, make_slot, make_student
from xinqiao.rooms.appointments.services import SlotTaken, appointment_book
from xinqiao.rooms.models import Appointment

STUDENTS = 50


def run_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job in its own thread, all released at the same moment; collect outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as error:  # the outcome under test, not a failure of the thread
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_fifty_students_booking_the_last_slot_at_once_leave_exactly_one_booking(cast):
    last = make_slot(cast.school, cast.counselor, starts_at=at(1, 16))
    next_week = make_slot(cast.school, cast.counselor, starts_at=at(8, 16))
    students = [make_student(cast.school, n) for n in range(STUDENTS)]
    for student in students:
        _ = student.user.role_map  # roles are read before the start, not during the race

    outcomes = run_at_once(
        [
            (lambda user=student.user: appointment_book(actor=user, slot=last, topic="study"))
            for student in students
        ]
    )

    booked = [o for o in outcomes if isinstance(o, Appointment)]
    taken = [o for o in outcomes if isinstance(o, SlotTaken)]
    assert len(booked) == 1, [o for o in outcomes if not isinstance(o, Appointment | SlotTaken)]
    assert len(taken) == STUDENTS - 1
    assert Appointment.objects.filter(slot=last).count() == 1
    assert Appointment.objects.get(slot=last).student_id == booked[0].student_id
    assert all([slot.pk for slot in refusal.next_slots] == [next_week.pk] for refusal in taken)
    assert not Appointment.objects.filter(slot=next_week).exists()


@pytest.mark.django_db(transaction=True)
def test_fifty_clients_booking_the_last_slot_through_the_api_leave_exactly_one_booking(cast):
    last = make_slot(cast.school, cast.counselor, starts_at=at(1, 16))
    next_week = make_slot(cast.school, cast.counselor, starts_at=at(8, 16))
    clients = []
    for n in range(STUDENTS):
        client = Client()
        sign_in(client, make_student(cast.school, n).user)
        clients.append(client)
    path = f"/api/rooms/slots/{last.pk}/bookings"

    outcomes = run_at_once(
        [
            (
                lambda client=client: client.post(
                    path, {"topic": "study"}, content_type="application/json"
                )
            )
            for client in clients
        ]
    )

    statuses = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert statuses == [201] + [409] * (STUDENTS - 1)
    refusals = [o.json() for o in outcomes if o.status_code == 409]
    assert all([slot["id"] for slot in r["next_slots"]] == [next_week.pk] for r in refusals)
    assert Appointment.objects.filter(slot=last).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_group_session_is_never_overbooked_by_students_booking_at_once(cast):
    slot = make_group_slot(cast.school, cast.counselor, capacity=5)
    students = [make_student(cast.school, n) for n in range(20)]
    for student in students:
        _ = student.user.role_map

    outcomes = run_at_once(
        [
            (lambda user=student.user: appointment_book(actor=user, slot=slot, topic="study"))
            for student in students
        ]
    )

    assert sum(isinstance(o, Appointment) for o in outcomes) == 5
    assert sum(isinstance(o, SlotTaken) for o in outcomes) == 15
    assert Appointment.objects.filter(slot=slot, state="booked").count() == 5
