"""The demo school's case work: about sixty cases of 心桥实验学校 in every state, with their
assessments, conferences, support plans, session records, stage summaries, evaluations,
consents and referrals, held by the demo counselor 刘思远 (``counselor``) and the director
陈静怡 (``director``), the only issued counseling accounts.

* Archived: cases of the previous semester, closed before it ended and archived at its end.
* Closed, closing, active, assessing: cases of the last weeks and months before today.
* Intake: the last few days' intakes, some still waiting for a counselor, among them the urgent
  visit of today's alert (rooms demo) and the intakes the duty teacher passed on.
* Brief contacts: questions answered at once.

A few plan reviews and referral follow-ups are overdue, so that the statistics and task lists have
something to show; some plans are in their second version; a crisis case is referred to the
district mental-health center with the guardian's consent. The class teacher account
(``class_teacher``) referred two of its own students, sits in their case conference and is
responsible for measures of their plans, so that signing in as them shows what is shared.

As in the rooms demo, everything goes through the services a user's action calls (they check the
state machine, encrypt the text, number the cases), and the dates those services set to "now"
are then moved back to when the step happened, with plain updates. Notifications the services
sent about that history are removed again, except for what is still waiting (new intakes, cases
waiting to be closed, conferences to come). Every name, text and telephone number is made up;
a fixed random seed gives the same cases on every load of the same day.

What the counselors write is in demo_data.json, read by demo_story.py with the list of cases;
demo_case.py writes one case, step by step; this module picks the students and the dates.

``add_long_followed_student`` is for the benchmark (tests/bench/student_file_bench.py): one
student with ten cases and two hundred records, built the same way.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from xinqiao.cases import demo_grants, services_directory, services_intake
from xinqiao.cases.demo_case import CaseLife
from xinqiao.cases.demo_story import (
    AC,
    AFFAIRS,
    AS,
    BRIEF,
    CATEGORY_CODES,
    CG,
    CH,
    CL,
    IN,
    OUTSIDE_SERVICES,
    SPECS,
    TEXTS,
    A,
    C,
    D,
    G,
    Spec,
    Timeline,
)
from xinqiao.cases.models import Case, Conference, OutsideService
from xinqiao.core.demo import DemoContext
from xinqiao.core.models import Notification, User
from xinqiao.core.roles import Role
from xinqiao.people.models import RoleAssignment, School, Semester, Student
from xinqiao.rooms.selectors import holiday_dates

SEED = 20261015
DEMO_STUDENT_ACCOUNTS = (Role.STUDENT, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)


class _Builder(CaseLife):
    def __init__(self, context: DemoContext | None = None, *, seed: int = SEED) -> None:
        objects = context.objects if context is not None else {}
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        self.school: School = objects.get("school") or School.objects.get(code="demo")
        self.semester: Semester = objects.get("semester") or Semester.objects.get(
            school=self.school, is_current=True
        )
        self.previous: Semester | None = (
            objects.get("previous_semester")
            or Semester.objects.filter(school=self.school, ends_on__lt=self.semester.starts_on)
            .order_by("-ends_on")
            .first()
        )
        accounts = User.objects.filter(
            username__in=[Role.DIRECTOR, Role.COUNSELOR, Role.DUTY, Role.CLASS_TEACHER, AFFAIRS]
        )
        self.accounts = {user.username: user for user in accounts}
        self.director = self.accounts[Role.DIRECTOR]
        self.counselor = self.accounts[Role.COUNSELOR]
        self.duty = self.accounts[Role.DUTY]
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.closed_days: set[datetime.date] = set()
        for semester in self.school.semesters.prefetch_related("holidays"):
            self.closed_days |= holiday_dates(semester)
        self.teachers = self._class_teachers()
        self.used: set[int] = set()

    # --- lookups and dates -----------------------------------------------------------------------
    def _class_teachers(self) -> dict[int, User]:
        posts = RoleAssignment.objects.filter(
            school=self.school, role=Role.CLASS_TEACHER, semester=self.semester
        ).select_related("user")
        return {post.school_class_id: post.user for post in posts}

    def categories(self) -> None:
        made = services_intake.categories_ensure_defaults(school=self.school)
        # ``order`` is the position in ProblemCategory.DEFAULTS: the code of each category.
        self.category = {CATEGORY_CODES[c.order]: c for c in made if c.order < len(CATEGORY_CODES)}

    def outside_services(self) -> None:
        self.services = {
            spec["name"]: services_directory.service_save(
                actor=self.director, school=self.school, **spec
            )
            for spec in OUTSIDE_SERVICES
        }

    def students(self, count: int, *, school_class_id: int | None = None) -> list[Student]:
        """``count`` enrolled students not used yet (not the demo accounts), drawn at random."""
        pool = (
            Student.objects.enrolled()
            .filter(school=self.school)
            .exclude(user__username__in=DEMO_STUDENT_ACCOUNTS)
            .exclude(pk__in=self.used)
            .filter(cases__isnull=True)
        )
        if school_class_id is not None:
            pool = pool.filter(school_class_id=school_class_id)
        ids = list(pool.order_by("student_number").values_list("pk", flat=True))
        chosen = self.rng.sample(ids, min(count, len(ids)))
        self.used.update(chosen)
        found = Student.objects.select_related("school_class__grade", "user").in_bulk(chosen)
        return [found[pk] for pk in chosen]

    # --- timelines -------------------------------------------------------------------------------
    def timeline(self, spec: Spec) -> Timeline:
        """The dates of a case; archived ones within the previous semester, others before today."""
        r = self.rng.randint
        if spec.state == A and self.previous is not None:
            first = self.previous.starts_on + datetime.timedelta(days=7)
            span = (self.previous.ends_on - first).days - 50
            opened = self.school_day(first + datetime.timedelta(days=r(0, max(span, 1))))
            latest = self.previous.ends_on - datetime.timedelta(days=3)
        else:
            days_ago = {
                A: (160, 120),
                CL: (110, 60),
                CG: (75, 45),
                AC: (95, 20),
                AS: (20, 6),
                IN: (6, 0),
                BRIEF: (60, 1),
            }[spec.state]
            if spec.overdue_review or spec.plan_versions > 1 or spec.follow_up == "late":
                days_ago = (95, 65)
            opened = self.school_day(
                self.today - datetime.timedelta(days=r(days_ago[1], days_ago[0]))
            )
            latest = self.today
        line = Timeline(opened=opened)
        if spec.state in (IN, BRIEF):
            return line
        line.assessed = self.plus(opened, 1, 3, latest=latest)
        needs_conference = spec.severity != G or len(spec.categories) > 1
        if needs_conference and not (spec.state == AS and spec.waiting == "conference"):
            line.conference = self.plus(line.assessed, 2, 5, latest=latest)
        if spec.state == AS:
            return line
        line.approved = self.plus(line.conference or line.assessed, 1, 3, latest=latest)
        if spec.state in (A, CL, CG):
            end = line.approved + datetime.timedelta(weeks=r(5, 8))
            end_limit = {A: latest, CL: self.today - datetime.timedelta(days=4)}.get(
                spec.state, self.today - datetime.timedelta(days=1)
            )
            line.end = self.school_day(min(end, end_limit), latest=end_limit)
            if spec.state in (A, CL):
                line.confirmed = self.plus(
                    line.end, 1, 3, latest=end_limit if spec.state == A else self.today
                )
            if spec.state == A:
                line.archived = self.previous.ends_on if self.previous else line.confirmed
        last = line.end or self.today - datetime.timedelta(days=1)
        review = line.approved + datetime.timedelta(weeks=4)
        while review <= last:
            line.reviews.append(self.school_day(review, latest=last))
            review += datetime.timedelta(weeks=4)
        return line

    # --- the whole demo --------------------------------------------------------------------------
    def cases(self) -> list[Case]:
        """Every spec's case, built in the order they were opened (so their numbers are too)."""
        demo_class = self.accounts.get(Role.CLASS_TEACHER)
        demo_class_id = (
            RoleAssignment.objects.filter(
                user=demo_class, role=Role.CLASS_TEACHER, semester=self.semester
            )
            .values_list("school_class_id", flat=True)
            .first()
            if demo_class is not None
            else None
        )
        own_class = iter(self.students(2, school_class_id=demo_class_id) if demo_class_id else [])
        others = iter(self.students(len(SPECS)))
        planned = []
        for spec in SPECS:
            student = next(own_class, None) if spec.from_class_teacher else None
            planned.append((spec, student or next(others), self.timeline(spec)))
        # Three students of last semester's archived cases are back with a new case.
        archived_students = [s for spec, s, _l in planned if spec.state == A][:3]
        for position, (spec, _student, line) in enumerate(planned):
            if spec.state in (AC, AS) and archived_students and position % 4 == 0:
                planned[position] = (spec, archived_students.pop(), line)
        planned.sort(key=lambda item: item[2].opened)
        return [self.case(spec, student, line) for spec, student, line in planned]

    def urgent_intake(self) -> Case | None:
        """Today's urgent visit (rooms demo: the intake turned into an alert) becomes a case the
        director opens at once and holds."""
        from xinqiao.crisis.models import Alert

        alert = (
            Alert.objects.filter(
                school=self.school, student__isnull=False, source_type="rooms.Intake"
            )
            .select_related("student")
            .order_by("-raised_at")
            .first()
        )
        if alert is None:
            return None
        return services_intake.case_open(
            actor=self.director,
            student=alert.student,
            channel=CH.WALK_IN,
            problem=TEXTS["urgent_intake"]["problem"],
            brought_by=TEXTS["urgent_intake"]["brought_by"],
            urgency=Case.Urgency.URGENT,
            source_object=alert,
        )

    def tidy_notifications(self, since_id: int) -> None:
        """Keep only what is still waiting: new intakes, cases to close, conferences to come."""
        waiting = Case.objects.filter(
            school=self.school, state__in=[Case.State.INTAKE, Case.State.CLOSING]
        ).values_list("pk", flat=True)
        keep = {reverse("cases:case_detail", args=[pk]) for pk in waiting}
        coming = Conference.objects.filter(
            case__school=self.school, state=Conference.State.PLANNED
        ).values_list("pk", flat=True)
        keep |= {reverse("cases:conference_share", args=[pk]) for pk in coming}
        made = Notification.objects.filter(pk__gt=since_id)
        # Of what was said about a waiting item, the last word to each person is what waits.
        latest = (
            made.filter(url__in=keep)
            .values("recipient_id", "url")
            .annotate(last=Max("pk"))
            .values_list("last", flat=True)
        )
        made.exclude(pk__in=list(latest)).delete()


def build(context: DemoContext) -> None:
    since = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    builder = _Builder(context)
    builder.categories()
    builder.outside_services()
    made = builder.cases()
    urgent = builder.urgent_intake()
    builder.tidy_notifications(since)
    context.objects.update(cases=[*made, *([urgent] if urgent else [])])
    # Access grants in every state (issue 16): demo_grants.py.
    demo_grants.build(made)


def add_long_followed_student(
    *, cases: int = 10, records: int = 200, seed: int = SEED + 1
) -> Student:
    """A student followed for a long time: ``cases`` cases with ``records`` session records in
    all, for the student-file benchmark (not part of the demo)."""
    builder = _Builder(seed=seed)
    builder.categories()
    if not OutsideService.objects.filter(school=builder.school).exists():
        builder.outside_services()
    else:
        builder.services = {s.name: s for s in OutsideService.objects.filter(school=builder.school)}
    student = builder.students(1)[0]
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    codes = ["learning", "emotion", "relationships", "family", "adaptation", "behaviour", "life"]
    first = builder.today - datetime.timedelta(days=40 * cases)
    for index, count in enumerate(per_case):
        opened = builder.school_day(first + datetime.timedelta(days=40 * index))
        state = CL if index < cases - 2 else (CG if index == cases - 2 else AC)
        spec = Spec(
            state,
            G,
            (codes[index % len(codes)],),
            CH.APPOINTMENT,
            lead=C if index % 3 else D,
            records=count,
        )
        line = Timeline(opened=opened)
        line.assessed = builder.plus(opened, 1, 2)
        line.approved = builder.plus(line.assessed, 1, 2)
        if state != AC:
            line.end = builder.school_day(
                min(
                    opened + datetime.timedelta(days=35), builder.today - datetime.timedelta(days=2)
                )
            )
            line.confirmed = builder.plus(line.end, 1, 2)
        else:
            line.end = None
        line.reviews = [builder.school_day(line.approved + datetime.timedelta(weeks=4))]
        builder.case(spec, student, line)
    return student
