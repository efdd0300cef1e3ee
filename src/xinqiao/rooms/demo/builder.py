"""The rooms demo's builder: the school's people and dates, the rooms and their hours, the roster,
leave, the calls and visits of the past weeks and the duty logs."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict

from django.utils import timezone

from xinqiao.core.demo import DemoContext
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import Guardian, GuardianLink, RoleAssignment, School, Semester, Student
from xinqiao.rooms.demo.appointments import AppointmentStory
from xinqiao.rooms.demo.data import (
    APPROVED_LEAVE_REASONS,
    COUNSELING,
    DEMO_STUDENT_ACCOUNTS,
    DUTY_PLAN,
    GROUP_MINUTES,
    GROUP_TIME,
    GROUP_WEEKDAY,
    HANDOVER,
    HISTORY_DAYS,
    LATE_HANDOVER,
    PAST_INTAKES,
    REFUSED_LEAVE,
    ROOMS,
    SEED,
    SLOT_PLAN,
    TOPIC_WEIGHTS,
    UNUSUAL,
    WAITING_LEAVE_REASON,
)
from xinqiao.rooms.demo.helpers import at, plus, spread
from xinqiao.rooms.leave.services import leave_assign_substitute, leave_decide, leave_request
from xinqiao.rooms.models import (
    DutyLog,
    DutyShift,
    Intake,
    LeaveRequest,
)
from xinqiao.rooms.roster.selectors import free_people
from xinqiao.rooms.roster.services import roster_generate, roster_plan_save, roster_publish
from xinqiao.rooms.selectors import holiday_dates
from xinqiao.rooms.services import opening_period_add, room_create


class Builder(AppointmentStory):
    """Writes the rooms demo, one method a part of the story (the appointment side is in
    ``AppointmentStory``)."""

    def __init__(self, context: DemoContext) -> None:
        objects = context.objects
        self.rng = random.Random(SEED)  # noqa: S311 (made-up data, not secrets)
        self.school: School = objects.get("school") or School.objects.get(code="demo")
        self.semester: Semester = objects.get("semester") or Semester.objects.get(
            school=self.school, is_current=True
        )
        self.accounts = {
            user.username: user
            for user in User.objects.filter(
                username__in=[Role.DIRECTOR, Role.COUNSELOR, Role.DUTY, Role.STUDENT]
            )
        }
        self.director = self.accounts[Role.DIRECTOR]
        self.counselor = self.accounts[Role.COUNSELOR]
        self.duty = self.accounts[Role.DUTY]
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.closed_days: set[datetime.date] = set()
        for semester in self.school.semesters.prefetch_related("holidays"):
            self.closed_days |= holiday_dates(semester)
        self.intakes_by_shift: dict[int, list[Intake]] = defaultdict(list)
        self.stood_in: Counter[int] = Counter()

    # --- helpers -------------------------------------------------------------------------------
    def ended(self, shift: DutyShift) -> bool:
        return at(shift.date, shift.ends_at) <= self.now

    def shifts(self) -> list[DutyShift]:
        return list(
            DutyShift.objects.filter(school=self.school, semester=self.semester)
            .select_related("room")
            .order_by("date", "starts_at", "room__name")
        )

    def history(self, shifts: list[DutyShift]) -> list[DutyShift]:
        """The ended shifts of the last four weeks that have any (the semester's last four
        weeks when it is over)."""
        ended = [shift for shift in shifts if self.ended(shift) and shift.user_id is not None]
        if not ended:
            return []
        first = ended[-1].date - datetime.timedelta(days=HISTORY_DAYS - 1)
        return [shift for shift in ended if shift.date >= first]

    def open_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and day not in self.closed_days

    def students(self, count: int) -> list[Student]:
        """``count`` enrolled students drawn at random (not the demo accounts)."""
        pool = list(
            Student.objects.enrolled()
            .filter(school=self.school)
            .exclude(user__username__in=DEMO_STUDENT_ACCOUNTS)
            .order_by("student_number")
            .values_list("pk", flat=True)
        )
        chosen = self.rng.sample(pool, count)
        by_pk = Student.objects.select_related("user", "school_class").in_bulk(chosen)
        return [by_pk[pk] for pk in chosen]

    def topic(self) -> str:
        return self.rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()))[0]

    # --- rooms and the roster ------------------------------------------------------------------
    def rooms(self) -> None:
        self.rooms_by_name = {
            spec["name"]: room_create(actor=self.director, school=self.school, **spec)
            for spec in ROOMS
        }

    def roster(self) -> None:
        """Opening hours, the weekly plan, and the semester's roster generated and published."""
        plans: dict[str, dict[int, User]] = defaultdict(dict)
        for room_name, weekday, (starts_at, ends_at), account in DUTY_PLAN:
            period = opening_period_add(
                actor=self.director,
                room=self.rooms_by_name[room_name],
                semester=self.semester,
                weekday=weekday,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            plans[room_name][period.pk] = self.accounts[account]
        for room_name, plan in plans.items():
            room = self.rooms_by_name[room_name]
            roster_plan_save(actor=self.director, room=room, semester=self.semester, plan=plan)
            # From the semester's first day: the history of the weeks already past too.
            roster_generate(
                actor=self.director,
                room=room,
                semester=self.semester,
                since=self.semester.starts_on,
            )
            roster_publish(actor=self.director, room=room, semester=self.semester)

    # --- leave ---------------------------------------------------------------------------------
    def leaves(self) -> None:
        """Three approved leaves with substitutes, one refused, one waiting for the director."""
        shifts = self.shifts()
        soon = self.now + datetime.timedelta(days=1)  # leave is asked in advance
        ahead = [s for s in shifts if s.starts > soon]
        duty_ahead = [s for s in ahead if s.user_id == self.duty.pk]
        counselor_ahead = [s for s in ahead if s.user_id == self.counselor.pk]
        past = [
            s
            for s in self.history(shifts)
            if s.user_id == self.duty.pk and s.room.name == COUNSELING
        ]
        reasons = iter(APPROVED_LEAVE_REASONS)
        approved_ahead = duty_ahead[1] if len(duty_ahead) > 1 else None
        for shift in spread(past, 3 if approved_ahead is None else 2):
            self.past_leave(shift, requester=self.duty, reason=next(reasons), approve=True)
        if approved_ahead is not None:
            leave = leave_request(actor=self.duty, shift=approved_ahead, reason=next(reasons))
            leave = leave_decide(actor=self.director, leave=leave, approve=True)
            approved_ahead.refresh_from_db()
            leave_assign_substitute(
                actor=self.director, leave=leave, substitute=self.substitute(approved_ahead)
            )
        reason, note = REFUSED_LEAVE
        if len(counselor_ahead) > 2:
            leave = leave_request(actor=self.counselor, shift=counselor_ahead[2], reason=reason)
            leave_decide(actor=self.director, leave=leave, approve=False, note=note)
        else:
            refused = [s for s in self.history(shifts) if s.user_id == self.counselor.pk]
            for shift in spread(refused, 1):
                self.past_leave(
                    shift, requester=self.counselor, reason=reason, approve=False, note=note
                )
        if len(duty_ahead) > 4:
            leave_request(actor=self.duty, shift=duty_ahead[4], reason=WAITING_LEAVE_REASON)

    def substitute(self, shift: DutyShift) -> User:
        """Someone free to stand in (``free_people``) who is not seeing students at that time."""
        free = [
            user
            for user in free_people(shift=shift)
            if not self.sees_students(user, shift.date.weekday(), shift.starts_at, shift.ends_at)
        ]
        # Share the standing in: someone who has stood in least so far.
        fewest = min(self.stood_in[user.pk] for user in free)
        chosen = self.rng.choice([user for user in free if self.stood_in[user.pk] == fewest])
        self.stood_in[chosen.pk] += 1
        return chosen

    def sees_students(
        self, user: User, weekday: int, starts_at: datetime.time, ends_at: datetime.time
    ) -> bool:
        """Whether the slot plan or the weekly group has ``user`` with students then."""
        times = [
            (self.accounts[account], start, plus(start, minutes))
            for account, _room, weekdays, starts, minutes in SLOT_PLAN
            if weekday in weekdays
            for start in starts
        ]
        if weekday == GROUP_WEEKDAY:
            times.append((self.counselor, GROUP_TIME, plus(GROUP_TIME, GROUP_MINUTES)))
        return any(
            who.pk == user.pk and start < ends_at and starts_at < end for who, start, end in times
        )

    def past_leave(
        self, shift: DutyShift, *, requester: User, reason: str, approve: bool, note: str = ""
    ) -> None:
        """Leave decided before the shift, as ``leave_decide`` and ``leave_assign_substitute``
        would have left it (they refuse shifts that have begun)."""
        requested_at = shift.starts - datetime.timedelta(
            days=self.rng.randint(2, 5), hours=self.rng.randint(1, 6)
        )
        substitute = None
        if approve:
            substitute = self.substitute(shift)
            shift.user, shift.origin = substitute, DutyShift.Origin.SUBSTITUTE
            shift.save(update_fields=["user", "origin"])
        LeaveRequest.objects.create(
            shift=shift,
            requester=requester,
            reason=reason,
            state=LeaveRequest.State.APPROVED if approve else LeaveRequest.State.REFUSED,
            requested_at=requested_at,
            decided_by=self.director,
            decided_at=requested_at + datetime.timedelta(hours=self.rng.randint(2, 20)),
            decision_note=note,
            substitute=substitute,
        )

    # --- calls, visits and the duty logs of the past weeks -------------------------------------
    def past_intakes(self) -> None:
        shifts = [s for s in self.history(self.shifts()) if s.user_id == self.duty.pk]
        if not shifts:
            return
        chosen = sorted(
            self.rng.sample(shifts, min(len(PAST_INTAKES), len(shifts))), key=lambda s: s.starts
        )
        students = self.students(len(chosen))
        guardians = self.primary_guardians(students)
        teachers = self.class_teachers(students)
        intakes = []
        for shift, student, (channel, caller, concern, outcome) in zip(
            chosen, students, PAST_INTAKES, strict=False
        ):
            name, contact = student.name, ""
            if caller == Intake.CallerKind.GUARDIAN:
                guardian = guardians[student.pk]
                name, contact = guardian.name, guardian.phone
            elif caller == Intake.CallerKind.TEACHER:
                name = teachers.get(student.school_class_id, "")
            intake = Intake(
                school=self.school,
                shift=shift,
                received_by=self.duty,
                received_at=shift.starts + datetime.timedelta(minutes=self.rng.randint(5, 50)),
                channel=channel,
                caller_kind=caller,
                caller_name=name,
                contact=contact,
                student=student,
                concern=concern,
                outcome=outcome,
            )
            intakes.append(intake)
            self.intakes_by_shift[shift.pk].append(intake)
        Intake.objects.bulk_create(intakes)

    def primary_guardians(self, students: list[Student]) -> dict[int, Guardian]:
        links = GuardianLink.objects.filter(student__in=students).select_related("guardian")
        guardians = {}
        for link in links.order_by("-is_primary", "pk"):
            guardians.setdefault(link.student_id, link.guardian)
        return guardians

    def class_teachers(self, students: list[Student]) -> dict[int, str]:
        posts = RoleAssignment.objects.filter(
            role=Role.CLASS_TEACHER,
            semester=self.semester,
            school_class_id__in={s.school_class_id for s in students},
        ).select_related("user")
        return {post.school_class_id: post.user.full_name for post in posts}

    def duty_logs(self) -> None:
        """A log for every duty that is over, but two of the last weeks (the missing-logs list
        is not empty); a few people arrived late."""
        shifts = self.shifts()
        recent = [
            s
            for s in self.history(shifts)
            if s.origin == DutyShift.Origin.PATTERN and s.pk not in self.intakes_by_shift
        ]
        missing = {s.pk for s in self.rng.sample(recent, min(2, len(recent)))}
        late_candidates = [s for s in recent if s.pk not in missing]
        late = {s.pk for s in self.rng.sample(late_candidates, min(4, len(late_candidates)))}
        logs = []
        for shift in shifts:
            if shift.user_id is None or not self.ended(shift) or shift.pk in missing:
                continue
            intakes = self.intakes_by_shift.get(shift.pk, [])
            phoned = sum(1 for i in intakes if i.channel == Intake.Channel.PHONE)
            came = len(intakes) - phoned
            if shift.pk in late:
                arrived = plus(shift.starts_at, self.rng.choice((6, 9, 12, 18)))
                handover = self.rng.choice(LATE_HANDOVER)
            else:
                arrived = plus(shift.starts_at, -self.rng.randint(0, 8))
                handover = self.rng.choice(HANDOVER)
            written = at(shift.date, shift.ends_at) + datetime.timedelta(
                minutes=self.rng.randint(2, 40)
            )
            unusual = self.rng.choice(UNUSUAL) if self.rng.random() < 0.05 else ""
            logs.append(
                DutyLog(
                    shift=shift,
                    written_by_id=shift.user_id,
                    arrived_at=arrived,
                    calls_received=max(phoned, self.rng.choices((0, 1, 2, 3), (4, 4, 2, 1))[0]),
                    visitors=max(came, self.rng.choices((0, 1, 2, 3, 4), (3, 4, 3, 2, 1))[0]),
                    appointments_registered=self.rng.choices((0, 1, 2), (5, 3, 1))[0],
                    unusual=unusual,
                    handover=handover,
                    written_at=min(written, self.now),
                )
            )
        DutyLog.objects.bulk_create(logs, batch_size=500)
