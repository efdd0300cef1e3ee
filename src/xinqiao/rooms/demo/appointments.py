"""The appointment side of the rooms demo: slots and bookings of the past weeks (kept, missed
or cancelled) and of the two weeks ahead, the weekly group, and today's calls and visits.
Mixed into the builder (``xinqiao.rooms.demo.builder``), whose people and helpers it uses."""

from __future__ import annotations

import datetime

from django.utils import timezone

from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.crisis.models import Alert
from xinqiao.people.models import Student
from xinqiao.rooms.appointments.services import Topic, appointment_book, slot_create, slots_generate
from xinqiao.rooms.demo.data import (
    AHEAD_DAYS,
    ANONYMOUS_CALL,
    CANCEL_REASONS,
    GROUP,
    GROUP_MEMBERS,
    GROUP_MINUTES,
    GROUP_PLACES,
    GROUP_TIME,
    GROUP_TOPIC,
    GROUP_WEEKDAY,
    GUARDIAN_CALL,
    HISTORY_DAYS,
    NO_SHOW_REASONS,
    SLOT_PLAN,
    URGENT_VISIT,
    URGENT_VISIT_SAID,
)
from xinqiao.rooms.demo.helpers import at
from xinqiao.rooms.intake.services import intake_record, intake_to_alert, intake_to_appointment
from xinqiao.rooms.models import (
    Appointment,
    AppointmentSlot,
    Intake,
    Room,
)


class AppointmentStory:
    # --- appointments --------------------------------------------------------------------------
    def slot_times(
        self, first: datetime.date, last: datetime.date
    ) -> list[tuple[User, Room, datetime.datetime, int]]:
        """The individual slots of the plan between two days (holidays and weekends closed)."""
        times = []
        day = first
        while day <= last:
            if self.open_day(day):
                for account, room_name, weekdays, starts, minutes in SLOT_PLAN:
                    if day.weekday() in weekdays:
                        for start in starts:
                            times.append(
                                (
                                    self.accounts[account],
                                    self.rooms_by_name[room_name],
                                    at(day, start),
                                    minutes,
                                )
                            )
            day += datetime.timedelta(days=1)
        return sorted(times, key=lambda item: item[2])

    def group_days(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        days = []
        day = first
        while day <= last:
            if day.weekday() == GROUP_WEEKDAY and self.open_day(day):
                days.append(day)
            day += datetime.timedelta(days=1)
        return days

    def appointments(self) -> None:
        self.clients = self.students(40)
        self.group_members = self.students(GROUP_MEMBERS)
        self.guardians = self.primary_guardians(self.clients)
        self.past_appointments()
        self.future_appointments()

    def booking_for(self, student: Student) -> dict:
        """Who an appointment is for: mostly the student, now and then a parent about them."""
        guardian = self.guardians.get(student.pk)
        if guardian is not None and self.rng.random() < 0.12:
            return {
                "for_kind": Appointment.ForKind.GUARDIAN,
                "student": student,
                "person_name": guardian.name,
                "contact": guardian.phone,
            }
        return {
            "for_kind": Appointment.ForKind.STUDENT,
            "student": student,
            "person_name": student.name,
        }

    def past_appointments(self) -> None:
        """Slots of the past four weeks and what became of their bookings."""
        first = self.today - datetime.timedelta(days=HISTORY_DAYS)
        slots = [
            AppointmentSlot(
                school=self.school,
                room=room,
                counselor=counselor,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=minutes),
            )
            for counselor, room, starts_at, minutes in self.slot_times(first, self.today)
            if starts_at + datetime.timedelta(minutes=minutes) <= self.now
        ]
        for day in self.group_days(first, self.today):
            starts_at = at(day, GROUP_TIME)
            if starts_at + datetime.timedelta(minutes=GROUP_MINUTES) <= self.now:
                slots.append(
                    AppointmentSlot(
                        school=self.school,
                        room=self.rooms_by_name[GROUP],
                        counselor=self.counselor,
                        starts_at=starts_at,
                        ends_at=starts_at + datetime.timedelta(minutes=GROUP_MINUTES),
                        capacity=GROUP_PLACES,
                        is_group=True,
                        topic=GROUP_TOPIC,
                    )
                )
        AppointmentSlot.objects.bulk_create(slots)
        own = Student.objects.filter(user=self.accounts[Role.STUDENT]).first()
        appointments = []
        for slot in sorted(slots, key=lambda s: s.starts_at):
            if slot.is_group:
                for member in self.group_members:
                    came = self.rng.random() < 0.88
                    appointments.append(
                        self.past_appointment(
                            slot,
                            for_kind=Appointment.ForKind.STUDENT,
                            student=member,
                            person_name=member.name,
                            topic=Topic.GROUP,
                            state=(
                                Appointment.State.COMPLETED if came else Appointment.State.NO_SHOW
                            ),
                        )
                    )
                continue
            if own is not None and slot.counselor_id == self.counselor.pk:
                # 何小明 came once before; his next appointment is booked below.
                who = {
                    "for_kind": Appointment.ForKind.STUDENT,
                    "student": own,
                    "person_name": own.name,
                }
                topic, state = Topic.STUDY, Appointment.State.COMPLETED
                own = None
            elif self.rng.random() < 0.7:
                who = self.booking_for(self.rng.choice(self.clients))
                topic = self.topic()
                state = self.rng.choices(
                    (
                        Appointment.State.COMPLETED,
                        Appointment.State.NO_SHOW,
                        Appointment.State.CANCELLED,
                    ),
                    (75, 10, 15),
                )[0]
            else:
                continue
            appointments.append(self.past_appointment(slot, topic=topic, state=state, **who))
        Appointment.objects.bulk_create(appointments, batch_size=500)

    def past_appointment(
        self, slot: AppointmentSlot, *, topic: str, state: str, **who
    ) -> Appointment:
        booked_at = slot.starts_at - datetime.timedelta(
            days=self.rng.randint(1, 6), hours=self.rng.randint(0, 5)
        )
        if state == Appointment.State.CANCELLED:
            changed_at = booked_at + (slot.starts_at - booked_at) / 2
            reason = self.rng.choice(CANCEL_REASONS)
        elif state == Appointment.State.NO_SHOW:
            changed_at = slot.starts_at + datetime.timedelta(minutes=15)
            reason = self.rng.choice(NO_SHOW_REASONS)
        else:
            changed_at, reason = slot.ends_at, ""
        return Appointment(
            school=self.school,
            slot=slot,
            exclusive_slot=None if slot.is_group else slot,
            topic=topic,
            booked_by=self.rng.choice((self.duty, self.duty, self.counselor)),
            booked_at=booked_at,
            state=state,
            state_reason=reason,
            state_changed_at=changed_at,
            reminded_day_before=True,
            reminded_hour_before=True,
            **who,
        )

    def future_appointments(self) -> None:
        """Free slots and bookings of the next two weeks, made with the services."""
        last = self.today + datetime.timedelta(days=AHEAD_DAYS - 1)
        for account, room_name, weekdays, starts, minutes in SLOT_PLAN:
            slots_generate(
                actor=self.accounts[account],
                room=self.rooms_by_name[room_name],
                counselor=self.accounts[account],
                first_day=self.today,
                last_day=last,
                weekdays=list(weekdays),
                times=list(starts),
                minutes=minutes,
            )
        groups = []
        for day in self.group_days(self.today, last):
            starts_at = at(day, GROUP_TIME)
            if starts_at > self.now:
                groups.append(
                    slot_create(
                        actor=self.counselor,
                        room=self.rooms_by_name[GROUP],
                        counselor=self.counselor,
                        starts_at=starts_at,
                        ends_at=starts_at + datetime.timedelta(minutes=GROUP_MINUTES),
                        is_group=True,
                        capacity=GROUP_PLACES,
                        topic=GROUP_TOPIC,
                    )
                )
        for index, group in enumerate(groups[:2]):
            # Next week's session is not full yet: two members have still to confirm.
            members = self.group_members if index == 0 else self.group_members[:-2]
            for member in members:
                appointment_book(
                    actor=self.counselor,
                    slot=group,
                    for_kind=Appointment.ForKind.STUDENT,
                    student=member,
                )
        slots = list(
            AppointmentSlot.objects.filter(
                school=self.school, is_group=False, starts_at__gt=self.now
            )
            .select_related("room", "counselor")
            .order_by("starts_at")
        )
        from_tomorrow = [
            s
            for s in slots
            if s.counselor_id == self.counselor.pk and timezone.localdate(s.starts_at) > self.today
        ]
        student_slot = from_tomorrow[0] if from_tomorrow else None
        # Kept free for the parent who calls today (``intakes``).
        self.intake_slot = from_tomorrow[1] if len(from_tomorrow) > 1 else None
        if student_slot is not None:
            appointment_book(
                actor=self.accounts[Role.STUDENT], slot=student_slot, topic=Topic.STUDY
            )
        for slot in slots:
            if slot in (student_slot, self.intake_slot) or self.rng.random() >= 0.5:
                continue
            appointment_book(
                actor=self.rng.choice((self.duty, self.duty, self.counselor)),
                slot=slot,
                topic=self.topic(),
                **self.booking_for(self.rng.choice(self.clients)),
            )

    # --- today's calls and visits --------------------------------------------------------------
    def intakes(self) -> None:
        """Three contacts of today, recorded by the duty teacher with the services: a parent's
        call booked as an appointment, an anonymous call answered at once, and an urgent visit
        turned into an alert."""
        caller, visitor = self.students(2)
        guardian = self.primary_guardians([caller])[caller.pk]
        call = intake_record(
            actor=self.duty,
            school=self.school,
            channel=Intake.Channel.PHONE,
            caller_kind=Intake.CallerKind.GUARDIAN,
            caller_name=guardian.name,
            contact=guardian.phone,
            student=caller,
            concern=GUARDIAN_CALL,
        )
        if self.intake_slot is not None:
            intake_to_appointment(
                actor=self.duty, intake=call, slot=self.intake_slot, topic=Topic.FAMILY
            )
        intake_record(
            actor=self.duty,
            school=self.school,
            channel=Intake.Channel.PHONE,
            caller_kind=Intake.CallerKind.ANONYMOUS,
            concern=ANONYMOUS_CALL,
            answered=True,
        )
        visit = intake_record(
            actor=self.duty,
            school=self.school,
            channel=Intake.Channel.WALK_IN,
            caller_kind=Intake.CallerKind.STUDENT,
            caller_name=visitor.name,
            student=visitor,
            concern=URGENT_VISIT,
            urgency=Intake.Urgency.URGENT,
        )
        intake_to_alert(
            actor=self.duty,
            intake=visit,
            risk_level=Alert.RiskLevel.HIGH,
            what_was_said=URGENT_VISIT_SAID,
        )
