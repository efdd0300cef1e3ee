"""Appointments: booking (own and on someone's behalf), taken slots, group sessions, cancel and
reschedule with reasons, check-in, no-shows, slots and a counselor's week."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.rooms.appointment_factories import (
    RoomFactory,
    at,
    make_appointment,
    make_group_slot,
    make_slot,
    make_student,
)
from xinqiao.core.models import Notification
from xinqiao.people.models import Holiday, Semester
from xinqiao.rooms.appointments.services import (
    MAX_OPEN_OWN_BOOKINGS,
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
    slot_cancel,
    slot_create,
    slots_generate,
)
from xinqiao.rooms.models import Appointment, AppointmentSlot

pytestmark = pytest.mark.django_db


def later_today(minutes: int = 30) -> datetime.datetime:
    """A moment later today (never past midnight, so "on the day" holds whenever tests run)."""
    now = timezone.localtime()
    end_of_day = now.replace(hour=23, minute=59, second=59, microsecond=0)
    return now + min(datetime.timedelta(minutes=minutes), (end_of_day - now) / 2)


def earlier_today(minutes: int = 10) -> datetime.datetime:
    now = timezone.localtime()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - min(datetime.timedelta(minutes=minutes), (now - start_of_day) / 2)


# --- booking -----------------------------------------------------------------------------------
def test_a_student_books_a_free_slot_for_themself_and_the_counselor_is_told(cast):
    slot = make_slot(cast.school, cast.counselor)
    appointment = appointment_book(actor=cast.student, slot=slot, topic="study")
    assert appointment.student == cast.student_record
    assert appointment.for_kind == "student"
    assert appointment.exclusive_slot == slot
    assert appointment.person_name == "何小明"
    told = Notification.objects.get(recipient=cast.counselor)
    assert told.url == reverse("rooms:appointment_detail", args=[appointment.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("class_teacher", 403), ("guardian", 403), ("principal", 403), ("outsider", 404)],
)
def test_people_who_neither_book_for_themselves_nor_for_others_are_refused(
    client, cast, role, status
):
    """The page refuses (someone outside the school does not find the slot); nothing is
    booked and nobody is told."""
    slot = make_slot(cast.school, cast.counselor)
    sign_in(client, getattr(cast, role))
    response = client.post(
        reverse("rooms:booking_create", args=[slot.pk]), {"topic": "study", "person_name": "某人"}
    )
    assert response.status_code == status
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


def test_a_taken_slot_answers_with_the_next_free_slots(cast):
    taken = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    later_same_counselor = make_slot(cast.school, cast.counselor, starts_at=at(3, 10))
    other_counselor = make_slot(cast.school, cast.director, starts_at=at(2, 11))
    earlier = make_slot(cast.school, cast.counselor, starts_at=at(1, 10))
    appointment_book(actor=cast.student, slot=taken, topic="study")
    second = make_student(cast.school, 2)
    with pytest.raises(SlotTaken, match="这个时间刚刚被预约了") as refused:
        appointment_book(actor=second.user, slot=taken, topic="family")
    offered = [slot.pk for slot in refused.value.next_slots]
    assert offered == [other_counselor.pk, later_same_counselor.pk]
    assert earlier.pk not in offered
    assert Appointment.objects.filter(slot=taken).count() == 1


def test_the_database_itself_refuses_a_second_active_booking_of_a_one_place_slot(cast):
    slot = make_slot(cast.school, cast.counselor)
    make_appointment(slot, cast.student_record)
    other = make_student(cast.school, 2)
    with pytest.raises(IntegrityError, match="exclusive_slot"), transaction.atomic():
        make_appointment(slot, other)
    assert list(Appointment.objects.values_list("student", flat=True)) == [cast.student_record.pk]


def test_a_cancelled_booking_frees_its_place(cast):
    slot = make_slot(cast.school, cast.counselor)
    first = appointment_book(actor=cast.student, slot=slot, topic="study")
    appointment_cancel(actor=cast.student, appointment=first, reason="要考试")
    other = make_student(cast.school, 2)
    second = appointment_book(actor=other.user, slot=slot, topic="family")
    assert second.state == "booked"


def test_the_same_booking_sent_twice_is_stored_once(cast):
    slot = make_slot(cast.school, cast.counselor)
    first = appointment_book(actor=cast.student, slot=slot, topic="study")
    again = appointment_book(actor=cast.student, slot=slot, topic="study")
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1


def test_a_student_keeps_a_limited_number_of_upcoming_bookings(cast):
    for n in range(MAX_OPEN_OWN_BOOKINGS):
        appointment_book(
            actor=cast.student,
            slot=make_slot(cast.school, cast.counselor, starts_at=at(2 + n, 10)),
            topic="study",
        )
    with pytest.raises(ValidationError, match="你已有3个即将进行的预约"):
        appointment_book(
            actor=cast.student,
            slot=make_slot(cast.school, cast.counselor, starts_at=at(9, 10)),
            topic="study",
        )
    assert Appointment.objects.count() == MAX_OPEN_OWN_BOOKINGS


def test_past_and_withdrawn_slots_cannot_be_booked(cast):
    past = make_slot(cast.school, cast.counselor, starts_at=timezone.now() - datetime.timedelta(1))
    with pytest.raises(ValidationError, match="此时间已经开始"):
        appointment_book(actor=cast.student, slot=past, topic="study")
    withdrawn = make_slot(cast.school, cast.counselor, cancelled=True)
    with pytest.raises(ValidationError, match="此时间已不再开放预约"):
        appointment_book(actor=cast.student, slot=withdrawn, topic="study")
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("role", ["duty", "counselor", "director"])
def test_staff_book_on_behalf_of_a_student_a_guardian_or_a_teacher(cast, role):
    actor = getattr(cast, role)
    for_student = appointment_book(
        actor=actor,
        slot=make_slot(cast.school, cast.counselor, starts_at=at(2, 9)),
        student=cast.student_record,
        topic="feelings",
    )
    assert (for_student.student, for_student.booked_by) == (cast.student_record, actor)
    assert Notification.objects.filter(recipient=cast.student).exists()
    for_guardian = appointment_book(
        actor=actor,
        slot=make_slot(cast.school, cast.counselor, starts_at=at(2, 10)),
        for_kind="guardian",
        person_name="何妈妈",
        contact="13900000001",
        student=cast.student_record,
        topic="family",
    )
    assert for_guardian.for_kind == "guardian"
    for_teacher = appointment_book(
        actor=actor,
        slot=make_slot(cast.school, cast.counselor, starts_at=at(2, 11)),
        for_kind="teacher",
        person_name="王老师",
        topic="other",
    )
    assert for_teacher.person_name == "王老师"
    nameless = make_slot(cast.school, cast.counselor, starts_at=at(2, 12))
    with pytest.raises(ValidationError, match="请填写来访人的姓名"):
        appointment_book(actor=actor, slot=nameless, for_kind="teacher", topic="other")
    assert not nameless.appointments.exists()


def test_a_group_session_takes_as_many_people_as_it_has_places(cast):
    slot = make_group_slot(cast.school, cast.counselor, capacity=3)
    students = [make_student(cast.school, n) for n in range(2, 6)]
    for student in students[:3]:
        appointment = appointment_book(actor=student.user, slot=slot, topic="study")
        assert appointment.exclusive_slot is None
        assert appointment.topic == "group"
    with pytest.raises(SlotTaken, match="这个时间刚刚被预约了"):
        appointment_book(actor=students[3].user, slot=slot, topic="study")
    assert slot.appointments.filter(state="booked").count() == 3


# --- cancel and reschedule ---------------------------------------------------------------------
def test_cancelling_needs_a_reason_and_tells_the_counselor(cast):
    appointment = appointment_book(
        actor=cast.student, slot=make_slot(cast.school, cast.counselor), topic="study"
    )
    with pytest.raises(ValidationError, match="请填写原因"):
        appointment_cancel(actor=cast.student, appointment=appointment, reason="  ")
    appointment.refresh_from_db()
    assert appointment.state == "booked"
    appointment_cancel(actor=cast.student, appointment=appointment, reason="那天有比赛")
    appointment.refresh_from_db()
    assert (appointment.state, appointment.state_reason) == ("cancelled", "那天有比赛")
    assert appointment.state_changed_at is not None
    told = Notification.objects.get(recipient=cast.counselor, title__contains="取消")
    assert told.body == "原因请打开预约查看。"


def test_a_student_cannot_cancel_once_the_appointment_has_begun(cast):
    slot = make_slot(cast.school, cast.counselor, starts_at=earlier_today())
    appointment = make_appointment(slot, cast.student_record)
    with pytest.raises(ValidationError, match="预约已经开始，不能再取消"):
        appointment_cancel(actor=cast.student, appointment=appointment, reason="忘了")
    appointment.refresh_from_db()
    assert (appointment.state, appointment.state_reason) == ("booked", "")


def test_rescheduling_cancels_the_old_time_with_the_reason_and_books_the_new_one(cast):
    old = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    new = make_slot(cast.school, cast.director, starts_at=at(4, 10))
    appointment = appointment_book(actor=cast.student, slot=old, topic="study")
    moved = appointment_reschedule(
        actor=cast.student, appointment=appointment, new_slot=new, reason="换个时间"
    )
    appointment.refresh_from_db()
    assert appointment.state == "cancelled"
    assert "换个时间" in appointment.state_reason
    assert (moved.slot, moved.state, moved.student) == (new, "booked", cast.student_record)
    assert moved.topic == "study"


def test_rescheduling_to_a_taken_slot_changes_nothing(cast):
    old = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    taken = make_slot(cast.school, cast.counselor, starts_at=at(3, 10))
    appointment = appointment_book(actor=cast.student, slot=old, topic="study")
    appointment_book(actor=make_student(cast.school, 2).user, slot=taken, topic="study")
    with pytest.raises(SlotTaken, match="这个时间刚刚被预约了"):
        appointment_reschedule(
            actor=cast.student, appointment=appointment, new_slot=taken, reason="换个时间"
        )
    appointment.refresh_from_db()
    assert appointment.state == "booked"


# --- arrival, no-show, completion --------------------------------------------------------------
def test_check_in_on_arrival_then_the_conversation_takes_place(cast):
    slot = make_slot(cast.school, cast.counselor, starts_at=later_today())
    appointment = make_appointment(slot, cast.student_record)
    appointment_check_in(actor=cast.duty, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.state == "checked_in"
    with pytest.raises(ValidationError, match="预约尚未开始"):  # not before it has begun
        appointment_complete(actor=cast.counselor, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.state == "checked_in"


def test_check_in_is_refused_on_another_day(cast):
    appointment = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=at(2, 10)), cast.student_record
    )
    with pytest.raises(ValidationError, match="只能在预约当天签到"):
        appointment_check_in(actor=cast.duty, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.state == "booked"


def test_a_no_show_is_recorded_once_the_appointment_has_begun(cast):
    future = make_appointment(make_slot(cast.school, cast.counselor), cast.student_record)
    with pytest.raises(ValidationError, match="预约尚未开始"):
        appointment_mark_no_show(actor=cast.counselor, appointment=future)
    future.refresh_from_db()
    assert future.state == "booked"
    begun = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=earlier_today()),
        make_student(cast.school, 2),
    )
    appointment_mark_no_show(actor=cast.counselor, appointment=begun, reason="没来也没请假")
    begun.refresh_from_db()
    assert (begun.state, begun.state_reason) == ("no_show", "没来也没请假")
    with pytest.raises(ValidationError, match="不能变为“已完成”"):  # a no-show is final
        appointment_complete(actor=cast.counselor, appointment=begun)
    begun.refresh_from_db()
    assert begun.state == "no_show"


# --- slots -------------------------------------------------------------------------------------
def test_a_counselor_cannot_offer_two_overlapping_slots_nor_a_room_twice(cast):
    room = RoomFactory(school=cast.school)
    slot_create(
        actor=cast.counselor,
        room=room,
        counselor=cast.counselor,
        starts_at=at(2, 10),
        ends_at=at(2, 11),
    )
    with pytest.raises(ValidationError, match="该心理教师或功能室在此时间已有预约时段"):
        slot_create(
            actor=cast.counselor,
            room=RoomFactory(school=cast.school, name="二号咨询室"),
            counselor=cast.counselor,
            starts_at=at(2, 10, 30),
            ends_at=at(2, 11, 30),
        )
    with pytest.raises(ValidationError, match="该心理教师或功能室在此时间已有预约时段"):
        slot_create(
            actor=cast.director,
            room=room,
            counselor=cast.director,
            starts_at=at(2, 10),
            ends_at=at(2, 11),
        )
    with pytest.raises(
        ValidationError, match="只有本校的心理教师和心理中心主任可以提供预约"
    ):  # only the counseling side offers appointments
        slot_create(
            actor=cast.director,
            room=room,
            counselor=cast.duty,
            starts_at=at(3, 10),
            ends_at=at(3, 11),
        )
    assert AppointmentSlot.objects.count() == 1


def test_the_database_refuses_two_slots_of_one_counselor_at_the_same_moment(cast):
    make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    with pytest.raises(IntegrityError, match="counselor_id"), transaction.atomic():
        make_slot(
            cast.school,
            cast.counselor,
            starts_at=at(2, 10),
            room=RoomFactory(school=cast.school, name="二号咨询室"),
        )
    assert AppointmentSlot.objects.count() == 1


def test_weekly_slots_skip_holidays_and_clashes(cast):
    room = RoomFactory(school=cast.school)
    first = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    # A semester of its own around the dates, so the test holds whenever it runs.
    semester = Semester.objects.create(
        school=cast.school,
        school_year=2090,
        term=1,
        starts_on=first - datetime.timedelta(days=1),
        ends_on=first + datetime.timedelta(days=60),
    )
    Holiday.objects.create(
        semester=semester,
        name="运动会",
        starts_on=first + datetime.timedelta(days=7),
        ends_on=first + datetime.timedelta(days=7),
    )
    clash = timezone.make_aware(datetime.datetime.combine(first, datetime.time(12, 30)))
    make_slot(cast.school, cast.counselor, starts_at=clash, room=room)
    created, skipped = slots_generate(
        actor=cast.counselor,
        room=room,
        counselor=cast.counselor,
        first_day=first,
        last_day=first + datetime.timedelta(days=20),
        weekdays=[0],  # Mondays
        times=[datetime.time(12, 30)],
        minutes=40,
    )
    mondays = {timezone.localtime(slot.starts_at).date() for slot in created}
    assert mondays == {first + datetime.timedelta(days=14)}
    assert skipped == [clash]


def test_withdrawing_a_slot_cancels_its_bookings_and_tells_the_people(cast):
    slot = make_slot(cast.school, cast.counselor)
    appointment = make_appointment(slot, cast.student_record)
    slot_cancel(actor=cast.counselor, slot=slot, reason="外出培训")
    appointment.refresh_from_db()
    assert appointment.state == "cancelled"
    assert AppointmentSlot.objects.get(pk=slot.pk).cancelled
    told = Notification.objects.get(recipient=cast.student)
    assert told.body == "原因请打开预约查看。"


# --- pages -------------------------------------------------------------------------------------
def test_a_student_books_from_the_page_sees_the_booking_and_cancels_it(cast, signed_in):
    slot = make_slot(cast.school, cast.counselor)
    client = signed_in(cast.student)
    listing = client.get(reverse("rooms:booking_start"), {"counselor": cast.counselor.pk})
    assert f'data-testid="slot-{slot.pk}"' in listing.content.decode()
    response = client.post(reverse("rooms:booking_create", args=[slot.pk]), {"topic": "study"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("rooms:appointment_detail", args=[appointment.pk])
    mine = client.get(reverse("rooms:my_bookings")).content.decode()
    assert f'data-testid="booking-{appointment.pk}"' in mine
    refused = client.post(reverse("rooms:appointment_cancel", args=[appointment.pk]), {})
    assert refused.status_code == 400
    client.post(reverse("rooms:appointment_cancel", args=[appointment.pk]), {"reason": "生病"})
    appointment.refresh_from_db()
    assert appointment.state == "cancelled"


def test_the_page_answers_a_taken_slot_with_the_next_free_ones(cast, signed_in):
    slot = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    next_one = make_slot(cast.school, cast.counselor, starts_at=at(2, 11))
    make_appointment(slot, make_student(cast.school, 2))
    response = signed_in(cast.student).post(
        reverse("rooms:booking_create", args=[slot.pk]), {"topic": "study"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="slot-taken"' in body
    assert f'data-slot="{next_one.pk}"' in body
    # What was chosen is kept: one click books the next free time with the same topic.
    assert 'name="topic" value="study"' in body


def test_the_duty_person_books_for_a_guardian_from_the_page(cast, signed_in):
    slot = make_slot(cast.school, cast.counselor)
    response = signed_in(cast.duty).post(
        reverse("rooms:booking_create", args=[slot.pk]),
        {"for_kind": "guardian", "person_name": "", "topic": "family"},
    )
    assert response.status_code == 400  # the name is missing; what was typed is kept
    assert 'value="guardian" selected' in response.content.decode()
    signed_in(cast.duty).post(
        reverse("rooms:booking_create", args=[slot.pk]),
        {
            "for_kind": "guardian",
            "person_name": "何妈妈",
            "student_number": "2026070101",
            "topic": "family",
        },
    )
    appointment = Appointment.objects.get()
    assert (appointment.for_kind, appointment.student) == ("guardian", cast.student_record)


def test_another_student_cannot_open_or_cancel_a_booking(cast, signed_in):
    appointment = make_appointment(make_slot(cast.school, cast.counselor), cast.student_record)
    other = make_student(cast.school, 2)
    client = signed_in(other.user)
    assert client.get(reverse("rooms:appointment_detail", args=[appointment.pk])).status_code == 404
    response = client.post(
        reverse("rooms:appointment_cancel", args=[appointment.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.state == "booked"


def test_the_duty_person_checks_a_visitor_in_from_the_appointment_book(cast, signed_in):
    appointment = make_appointment(
        make_slot(cast.school, cast.counselor, starts_at=later_today()), cast.student_record
    )
    client = signed_in(cast.duty)
    book = client.get(reverse("rooms:appointment_list"), {"day": timezone.localdate()})
    assert f'data-testid="check-in-{appointment.pk}"' in book.content.decode()
    client.post(reverse("rooms:appointment_check_in", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.state == "checked_in"


def test_a_rescheduled_booking_from_the_page(cast, signed_in):
    old = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    new = make_slot(cast.school, cast.counselor, starts_at=at(5, 10))
    appointment = make_appointment(old, cast.student_record)
    client = signed_in(cast.student)
    page = client.get(reverse("rooms:appointment_reschedule", args=[appointment.pk]))
    assert f'data-testid="pick-slot-{new.pk}"' in page.content.decode()
    response = client.post(
        reverse("rooms:appointment_reschedule", args=[appointment.pk]),
        {"slot": new.pk, "reason": "周三有课"},
    )
    moved = Appointment.objects.get(slot=new)
    assert response.url == reverse("rooms:appointment_detail", args=[moved.pk])


def test_a_counselors_week_runs_monday_to_sunday_with_the_bookings(cast, signed_in):
    slot = make_slot(cast.school, cast.counselor, starts_at=at(2, 10))
    appointment = make_appointment(slot, cast.student_record)
    day = timezone.localtime(slot.starts_at).date()
    monday = day - datetime.timedelta(days=day.weekday())
    response = signed_in(cast.counselor).get(
        reverse("rooms:appointment_calendar"), {"week": day.isoformat()}
    )
    body = response.content.decode()
    assert f'data-monday="{monday.isoformat()}"' in body
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    positions = [body.index(f'data-testid="day-{d.isoformat()}"') for d in days]
    assert positions == sorted(positions)
    assert f'data-testid="calendar-booking-{appointment.pk}"' in body
    assert "何小明" in body


def test_a_counselor_publishes_a_slot_and_a_clash_keeps_what_was_typed(cast, signed_in):
    room = RoomFactory(school=cast.school)
    client = signed_in(cast.counselor)
    data = {
        "room": room.pk,
        "counselor": cast.counselor.pk,
        "day": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "start": "15:00",
        "minutes": 45,
        "capacity": 1,
    }
    assert client.post(reverse("rooms:slot_create"), data).status_code == 302
    again = client.post(reverse("rooms:slot_create"), data)
    assert again.status_code == 400
    assert 'value="15:00"' in again.content.decode()
    assert AppointmentSlot.objects.count() == 1


def test_the_appointment_book_and_my_bookings_take_the_same_queries_for_more_rows(cast, signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(client, url: str) -> int:
        client.get(url)  # the first request of a session writes the session itself
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    duty = signed_in(cast.duty)
    for n in range(2):
        make_appointment(make_slot(cast.school, cast.counselor), make_student(cast.school, n + 10))
    few = queries(duty, reverse("rooms:appointment_list"))
    for n in range(4):
        make_appointment(make_slot(cast.school, cast.counselor), make_student(cast.school, n + 20))
    assert queries(duty, reverse("rooms:appointment_list")) == few

    student = signed_in(cast.student)
    make_appointment(make_slot(cast.school, cast.counselor), cast.student_record)
    one = queries(student, reverse("rooms:my_bookings"))
    for _ in range(2):
        make_appointment(make_slot(cast.school, cast.counselor), cast.student_record)
    body = student.get(reverse("rooms:my_bookings")).content.decode()
    assert body.count('data-testid="booking-') == 3
    assert queries(student, reverse("rooms:my_bookings")) == one
