"""The demo school's rooms: 心理咨询室, 关爱室 and 团体辅导室 of 心桥实验学校, their opening hours,
the semester's duty roster with a few leaves and substitutes, the duty logs so far, appointment
slots and bookings around today, and a few calls and visits taken by the duty teacher.

Everything is placed relative to the day the demo is loaded ("today"): the four weeks before it
are the recent history (duty logs with a few late arrivals and two missing, leave already taken,
appointments kept, missed or cancelled, calls answered), the two weeks after it what is coming
(free slots, bookings, the weekly group, leave waiting for the director). When today lies after
the semester, the duty history is its last four weeks; before it begins, no duty is over yet, so
there are no duty logs and only the leave still ahead. A fixed random seed picks the students, counts
and notes, so loads on the same day give the same data.

What happens now goes through the services a user's action calls: rooms, opening hours, the
weekly plan, generating and publishing the roster, leave, slots, bookings, intake and the alert.
Those services rightly refuse to back-date anything, so the history is written directly, as the
services would have left it and with its real dates, in a few bulk inserts.

Only issued (active) accounts can hold shifts or offer slots (``duty_staff_of`` in
roster/selectors.py), and the people demo issues one account per role: the roster is therefore
held by 赵国庆 (``duty``), 刘思远 (``counselor``) and 陈静怡 (``director``), which is also what a
visitor signs in as.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Sequence

from django.utils import timezone

from xinqiao.core.demo import DemoContext
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.crisis.models import Alert
from xinqiao.people.models import Guardian, GuardianLink, RoleAssignment, School, Semester, Student
from xinqiao.rooms.appointments.services import Topic, appointment_book, slot_create, slots_generate
from xinqiao.rooms.intake.services import intake_record, intake_to_alert, intake_to_appointment
from xinqiao.rooms.leave.services import leave_assign_substitute, leave_decide, leave_request
from xinqiao.rooms.models import (
    Appointment,
    AppointmentSlot,
    DutyLog,
    DutyShift,
    Intake,
    LeaveRequest,
    Room,
)
from xinqiao.rooms.roster.selectors import free_people
from xinqiao.rooms.roster.services import roster_generate, roster_plan_save, roster_publish
from xinqiao.rooms.selectors import holiday_dates
from xinqiao.rooms.services import opening_period_add, room_create

SEED = 20260914
HISTORY_DAYS = 28  # "a month" of duty logs, appointments and calls before today
AHEAD_DAYS = 14  # free slots and bookings in the two weeks after today
T = datetime.time

COUNSELING, CARE, GROUP = "心理咨询室", "关爱室", "团体辅导室"
ROOMS = (
    {
        "kind": Room.Kind.COUNSELING,
        "name": COUNSELING,
        "location": "行政楼三楼301–304",
        "spaces": "接待区、个体咨询室、沙盘室、放松室",
        "equipment": "沙盘及沙具一套、音乐放松椅、宣泄用具、心理测评电脑、心理图书角、紧急联络电话",
        "capacity": 2,
    },
    {
        "kind": Room.Kind.CARE,
        "name": CARE,
        "location": "宿舍区综合楼一楼",
        "spaces": "谈心区、阅读区、亲情电话角",
        "equipment": "亲情电话、视频通话电脑、图书、绘画用品",
        "capacity": 6,
    },
    {
        "kind": Room.Kind.GROUP,
        "name": GROUP,
        "location": "艺术楼二楼",
        "spaces": "团体活动区、围坐区",
        "equipment": "坐垫、团体活动道具、投影仪、音响",
        "capacity": 12,
    },
)

NOON, AFTER_CLASS, CARE_NOON = (T(12, 30), T(14, 0)), (T(16, 30), T(17, 30)), (T(12, 30), T(13, 30))
# The weekly plan: room, weekday (0 = Monday), period, the demo account on duty. The counseling
# room is open 12.5 hours a week (criterion 14 asks 10); the care room 3, so that publishing its
# roster warns the director of short weeks. Nobody holds two rooms at once, and at every time
# one of the three is free to stand in.
DUTY_PLAN = (
    (COUNSELING, 0, NOON, Role.COUNSELOR),
    (COUNSELING, 0, AFTER_CLASS, Role.DUTY),
    (COUNSELING, 1, NOON, Role.DUTY),
    (COUNSELING, 1, AFTER_CLASS, Role.COUNSELOR),
    (COUNSELING, 2, NOON, Role.COUNSELOR),
    (COUNSELING, 2, AFTER_CLASS, Role.DUTY),
    (COUNSELING, 3, NOON, Role.DUTY),
    (COUNSELING, 3, AFTER_CLASS, Role.COUNSELOR),
    (COUNSELING, 4, NOON, Role.COUNSELOR),
    (COUNSELING, 4, AFTER_CLASS, Role.DIRECTOR),
    (CARE, 0, CARE_NOON, Role.DUTY),
    (CARE, 2, CARE_NOON, Role.DUTY),
    (CARE, 4, CARE_NOON, Role.DIRECTOR),
)
# Individual appointment slots, offered while the counselor holds the counseling room:
# counselor account, room, weekdays, start times, minutes.
SLOT_PLAN = (
    (Role.COUNSELOR, COUNSELING, (0, 2, 4), (T(12, 30), T(13, 15)), 45),
    (Role.COUNSELOR, COUNSELING, (1, 3), (T(16, 30),), 45),
    (Role.DIRECTOR, COUNSELING, (4,), (T(16, 30),), 45),
)
# A closed group of eight students meeting every Wednesday after class.
GROUP_TOPIC = "情绪管理成长小组"
GROUP_WEEKDAY, GROUP_TIME, GROUP_MINUTES, GROUP_PLACES, GROUP_MEMBERS = 2, T(16, 30), 60, 10, 8

TOPIC_WEIGHTS = {
    Topic.STUDY: 30,
    Topic.RELATIONSHIPS: 20,
    Topic.FEELINGS: 20,
    Topic.FAMILY: 15,
    Topic.GROWING_UP: 5,
    Topic.FUTURE: 5,
    Topic.OTHER: 5,
}
CANCEL_REASONS = (
    "学生临时有考试，改约下周。",
    "学生请病假。",
    "与社团活动时间冲突。",
    "家长希望改期。",
)
NO_SHOW_REASONS = ("未到，已请班主任提醒学生改约。", "")

HANDOVER = (
    "咨询室已整理，放松椅电源已关闭。",
    "预约登记本已更新，请下一班留意明天的预约。",
    "沙盘室沙具已归位，沙盘已抹平。",
    "今日来访平稳，无特殊情况。",
    "饮水机水桶已空，已告知总务处更换。",
    "宣传栏的新海报已贴好。",
    "接待区的宣传册不多了，需要补充。",
    "门窗已关好，钥匙已放回值班抽屉。",
    "",
)
LATE_HANDOVER = (
    "上一节课拖堂，到岗稍晚，已在门口张贴等候提示。",
    "监考结束后赶来，到岗晚了几分钟。",
    "临时处理班级事务，到岗稍晚。",
)
UNUSUAL = (
    "一名同学在接待区等候时情绪有些激动，已安抚并请专职心理教师接待。",
    "放松室一盏灯管闪烁，已报修。",
    "有家长未预约直接来访，已登记联系方式，请心理教师回电。",
)
APPROVED_LEAVE_REASONS = (
    "参加区心理健康教育教研活动。",
    "外出参加市级心理健康教育培训。",
    "带学生参加校外研学活动。",
)
REFUSED_LEAVE = ("当天下午要参加家长会。", "当天已有学生预约面谈，请先与学生改约，再申请请假。")
WAITING_LEAVE_REASON = "参加区教育局组织的值班人员培训。"

# Calls and visits of the past weeks: channel, who, concern, outcome.
PAST_INTAKES = (
    (
        Intake.Channel.PHONE,
        Intake.CallerKind.GUARDIAN,
        "家长来电询问心理咨询室的开放时间和预约方式，已告知。",
        Intake.Outcome.ANSWERED,
    ),
    (
        Intake.Channel.WALK_IN,
        Intake.CallerKind.STUDENT,
        "学生课间来访，想了解团体辅导怎么报名，已登记并转告心理教师。",
        Intake.Outcome.ANSWERED,
    ),
    (
        Intake.Channel.PHONE,
        Intake.CallerKind.TEACHER,
        "班主任来电，反映班上一名同学近期上课常走神、成绩下滑，希望心理教师约谈。",
        Intake.Outcome.OPEN,
    ),
    (
        Intake.Channel.WALK_IN,
        Intake.CallerKind.STUDENT,
        "学生来访想聊聊和室友相处的烦恼，约好下周开放时间再来。",
        Intake.Outcome.OPEN,
    ),
)
GUARDIAN_CALL = "家长来电，孩子近来睡眠不好、不太愿意上学，希望预约面谈。"
ANONYMOUS_CALL = "匿名来电询问如何帮助情绪低落的朋友，已介绍预约方式和心理援助热线。"
URGENT_VISIT = "学生主动来访，情绪非常低落，谈话中流露出伤害自己的念头。"
URGENT_VISIT_SAID = "学生说最近压力很大，觉得自己撑不下去了。已陪同在咨询室等候专职心理教师。"

DEMO_STUDENT_ACCOUNTS = (Role.STUDENT, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _plus(time: datetime.time, minutes: int) -> datetime.time:
    return (
        datetime.datetime.combine(datetime.date.min, time) + datetime.timedelta(minutes=minutes)
    ).time()


def _spread(items: Sequence, count: int) -> list:
    """``count`` items spread evenly over ``items`` (fewer when there are fewer)."""
    if len(items) < count:
        return list(items)
    return [items[(index + 1) * len(items) // (count + 1)] for index in range(count)]


class _Builder:
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
        return _at(shift.date, shift.ends_at) <= self.now

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
        for shift in _spread(past, 3 if approved_ahead is None else 2):
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
            for shift in _spread(refused, 1):
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
            (self.accounts[account], start, _plus(start, minutes))
            for account, _room, weekdays, starts, minutes in SLOT_PLAN
            if weekday in weekdays
            for start in starts
        ]
        if weekday == GROUP_WEEKDAY:
            times.append((self.counselor, GROUP_TIME, _plus(GROUP_TIME, GROUP_MINUTES)))
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
                arrived = _plus(shift.starts_at, self.rng.choice((6, 9, 12, 18)))
                handover = self.rng.choice(LATE_HANDOVER)
            else:
                arrived = _plus(shift.starts_at, -self.rng.randint(0, 8))
                handover = self.rng.choice(HANDOVER)
            written = _at(shift.date, shift.ends_at) + datetime.timedelta(
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
                                    _at(day, start),
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
            starts_at = _at(day, GROUP_TIME)
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
            starts_at = _at(day, GROUP_TIME)
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


def build(context: DemoContext) -> None:
    builder = _Builder(context)
    builder.rooms()
    builder.roster()
    builder.leaves()
    builder.past_intakes()
    builder.duty_logs()
    builder.appointments()
    builder.intakes()
    context.objects.update(rooms=list(builder.rooms_by_name.values()))
