"""The demo school's weekly network reports (班级心理晴雨表): a term of them so far.

Every teaching week of the current semester before this one (holiday weeks left out) has the
report of nearly every class and dormitory: a few are missing, always those of 高二3班 and the
dormitory without a liaison (their posts are empty, see people/demo.py). Moods dip around the
mid-term exams; now and then a report names a classmate, whom the counseling room has read (one
of them became a 关注 alert last week, acknowledged, and 七年级's grade leader forwarded one report).

This week is under way: about half the units have reported, some naming a classmate the
counseling room has still to read (through the services, so the class teachers and counselors are
told); 七年级1班, the demo committee member's class, has not, so that signing in as
``committee_member`` shows the report to write. The history is written in a few bulk inserts with
its real dates, as the services would have left it. A fixed seed gives the same reports each day.
"""

from __future__ import annotations

import datetime
import random

from django.urls import reverse
from django.utils import timezone

from xinqiao.core.demo import DemoContext
from xinqiao.core.models import Notification
from xinqiao.core.roles import Role
from xinqiao.crisis import services_reports as services
from xinqiao.crisis.models import (
    Alert,
    AlertEvent,
    Mood,
    ReportForward,
    WeeklyReport,
    WorriedItem,
)
from xinqiao.crisis.selectors_reports import TeachingWeek, week_of
from xinqiao.crisis.services import alert_acknowledge
from xinqiao.people.models import RoleAssignment, Semester, Student

SEED = 20260902
MISSING_SHARE = 0.06
WORRY_SHARE = 0.03
EVENTS = (
    "本周进行了期中考试复习，大家比较紧张。",
    "班级篮球赛赢了，大家很开心。",
    "有两位同学因为座位问题闹了点矛盾，已经和好。",
    "运动会报名，大家都很积极。",
    "月考成绩出来了，有些同学情绪低落。",
    "宿舍一起给室友过了生日。",
    "天气转凉，好几位同学感冒请假。",
    "主题班会讨论了怎么和父母沟通。",
    "",
    "",
)
WORRIES = (
    "这几天一直一个人吃饭，问他也不说话。",
    "晚上经常偷偷哭，说家里的事很烦。",
    "说考不好就不想活了，我有点担心。",
    "最近总是请假，回来也没精神。",
    "被几个同学起外号，看起来很难受。",
)


class _Term:
    def __init__(self, context: DemoContext) -> None:
        objects = context.objects
        self.rng = random.Random(SEED)  # noqa: S311 (made-up data, not secrets)
        self.semester: Semester = objects["semester"]
        self.school = objects["school"]
        self.counselor = objects[f"user:{Role.COUNSELOR}"]
        self.grade_leader = objects[f"user:{Role.GRADE_LEADER}"]
        self.demo_member = objects[f"user:{Role.COMMITTEE_MEMBER}"]
        self.units = [("class", c) for c in objects["classes"]] + [
            ("dormitory", d) for d in objects["dormitories"]
        ]
        self.reporters = self._reporters()
        self.students = self._students()

    def _reporters(self) -> dict[tuple[str, int], object]:
        posts = RoleAssignment.objects.filter(
            semester=self.semester, role__in=(Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)
        ).select_related("user")
        found = {}
        for post in posts.order_by("pk"):
            key = ("class", post.school_class_id) if post.school_class_id else None
            key = key or ("dormitory", post.dormitory_id)
            found.setdefault(key, post.user)
        return found

    def _students(self) -> dict[tuple[str, int], list[Student]]:
        by_unit: dict[tuple[str, int], list[Student]] = {}
        enrolled = Student.objects.enrolled().filter(school=self.school)
        for student in enrolled.only("pk", "name", "school_class_id", "dormitory_id"):
            by_unit.setdefault(("class", student.school_class_id), []).append(student)
            if student.dormitory_id:
                by_unit.setdefault(("dormitory", student.dormitory_id), []).append(student)
        return by_unit

    def weeks(self) -> tuple[list[TeachingWeek], TeachingWeek | None]:
        """The past school weeks of the semester, and this week (None outside the term)."""
        now = week_of(self.semester)
        today = timezone.localdate()
        if now is not None:
            last = now.number - 1
        elif today > self.semester.ends_on:
            last = self.semester.week_count
        else:
            last = 0
        past = [TeachingWeek(self.semester, n) for n in range(1, last + 1)]
        return [w for w in past if w.is_school_week], now

    def mood(self, week: TeachingWeek) -> int:
        exams = week.number in (9, 10, 18, 19)
        weights = (1, 4, 10, 12, 6) if exams else (0.3, 1.5, 6, 14, 9)
        return self.rng.choices(Mood.values, weights=weights)[0]

    def history(self, weeks: list[TeachingWeek]) -> None:
        reports = []
        for week in weeks:
            for kind, unit in self.units:
                reporter = self.reporters.get((kind, unit.pk))
                if reporter is None or self.rng.random() < MISSING_SHARE:
                    continue
                sent = timezone.make_aware(
                    datetime.datetime.combine(
                        week.monday + datetime.timedelta(days=self.rng.choice((3, 4))),
                        datetime.time(self.rng.randint(12, 18), self.rng.randrange(60)),
                    )
                )
                reports.append(
                    WeeklyReport(
                        school=self.school,
                        semester=self.semester,
                        week=week.number,
                        kind=kind,
                        mood=self.mood(week),
                        events=self.rng.choice(EVENTS),
                        reporter=reporter,
                        submitted_at=sent,
                        **{"school_class" if kind == "class" else "dormitory": unit},
                    )
                )
        WeeklyReport.objects.bulk_create(reports, batch_size=500)
        items = []
        for report in reports:
            unit_students = self.students.get((report.kind, report.unit.pk), [])
            candidates = [s for s in unit_students if s.user_id != report.reporter_id]
            if not candidates or self.rng.random() >= WORRY_SHARE:
                continue
            items.append(
                WorriedItem(
                    report=report,
                    student=self.rng.choice(candidates),
                    why=self.rng.choice(WORRIES),
                    added_by=report.reporter,
                    added_at=report.submitted_at,
                    reviewed_by=self.counselor,
                    reviewed_at=report.submitted_at + datetime.timedelta(hours=20),
                )
            )
        WorriedItem.objects.bulk_create(items, batch_size=500)
        self._last_week(weeks, reports, items)

    def _last_week(self, weeks, reports, items) -> None:
        """Last week: one named classmate became a 关注 alert; 七年级's leader forwarded one."""
        if not weeks:
            return
        last = weeks[-1].number
        recent = [i for i in items if i.report.week == last] or items[-1:]
        if recent:
            self._alert_from(recent[0])
        grade_ids = set(
            RoleAssignment.objects.filter(
                user=self.grade_leader, role=Role.GRADE_LEADER, semester=self.semester
            ).values_list("grade_id", flat=True)
        )
        led = [
            r
            for r in reports
            if r.week == last and r.kind == "class" and r.school_class.grade_id in grade_ids
        ]
        if led:
            low = min(led, key=lambda r: r.mood)
            ReportForward.objects.create(
                report=low,
                forwarded_by=self.grade_leader,
                note="这个班本周情绪偏低，请心理室老师找时间去看看。",
                at=low.submitted_at + datetime.timedelta(hours=5),
            )

    def _alert_from(self, item: WorriedItem) -> None:
        """Raised and acknowledged by the counselor the day after the report, through the
        services; then moved back to that day (the services date them now), and its notices,
        long read, removed. Today's alert stays the school's latest (rooms and cases demos)."""
        alert = services.worry_to_alert(
            actor=self.counselor, item=item, risk_level=Alert.RiskLevel.CONCERN
        )
        alert_acknowledge(actor=self.counselor, alert=alert)
        when = item.added_at + datetime.timedelta(days=1)
        Alert.objects.filter(pk=alert.pk).update(raised_at=when)
        AlertEvent.objects.filter(alert=alert).update(at=when)
        WorriedItem.objects.filter(pk=item.pk).update(reviewed_at=when)
        url = reverse("crisis:alert_detail", args=[alert.pk])
        Notification.objects.filter(url=url).delete()

    def this_week(self, week: TeachingWeek | None) -> None:
        """About half the units have reported so far; a few name a classmate (through the
        service: the class teachers and counselors are told). The demo member's class has not."""
        if week is None:
            return
        named = 0
        for kind, unit in self.units:
            reporter = self.reporters.get((kind, unit.pk))
            if reporter is None or reporter == self.demo_member or self.rng.random() < 0.5:
                continue
            worries = []
            candidates = [
                s for s in self.students.get((kind, unit.pk), []) if s.user_id != reporter.pk
            ]
            if candidates and named < 3 and self.rng.random() < 0.1:
                worries = [(self.rng.choice(candidates), self.rng.choice(WORRIES))]
                named += 1
            services.report_submit(
                actor=reporter,
                kind=kind,
                unit=unit,
                mood=self.mood(week),
                events=self.rng.choice(EVENTS),
                worries=worries,
            )


def build_reports(context: DemoContext) -> None:
    term = _Term(context)
    past, now = term.weeks()
    term.history(past)
    term.this_week(now)
