"""Reads of the network's weekly reports: the teaching week, the reporter's units, the school's
weekly summary and the director's board section (seed 002: 四级联动体系)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES, Role
from xinqiao.crisis.models import WeeklyReport, WorriedItem
from xinqiao.people.models import (
    Dormitory,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
    Student,
)

# Who sees the school's weekly summary: the counseling side, leadership and the supervision group
# (figures only), student affairs (network coordination).
SUMMARY_ROLES = frozenset(
    {*COUNSELING_ROLES, *LEADERSHIP_ROLES, Role.SUPERVISOR, Role.STUDENT_AFFAIRS}
)
# Reports are due by Friday noon of their week: the reporter is reminded then, the class teacher
# (student affairs for a dormitory) a day later; a report is editable until the week's Sunday.
DUE_WEEKDAY, DUE_HOUR = 4, 12


@dataclass(frozen=True)
class TeachingWeek:
    semester: Semester
    number: int

    @property
    def monday(self) -> datetime.date:
        return self.semester.week_dates(self.number)[0]

    @property
    def sunday(self) -> datetime.date:
        return self.semester.week_dates(self.number)[1]

    @property
    def due(self) -> datetime.datetime:
        day = self.monday + datetime.timedelta(days=DUE_WEEKDAY)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(DUE_HOUR)))

    @property
    def is_school_week(self) -> bool:
        """A week with at least one school day (Monday to Friday, not a holiday)."""
        weekdays = (self.monday + datetime.timedelta(days=n) for n in range(5))
        return any(
            self.semester.starts_on <= day <= self.semester.ends_on
            and not self.semester.is_holiday(day)
            for day in weekdays
        )


def week_of(semester: Semester | None, when: datetime.datetime | None = None):
    """The teaching week (第N周) of ``semester`` holding ``when`` (now), or None."""
    if semester is None:
        return None
    number = semester.week_of(timezone.localtime(when or timezone.now()).date())
    return TeachingWeek(semester, number) if number else None


def current_week(school_id: int, when: datetime.datetime | None = None) -> TeachingWeek | None:
    semester = Semester.objects.filter(school_id=school_id, is_current=True).first()
    return week_of(semester, when)


@dataclass
class ReporterUnit:
    """A class or dormitory whose report ``user`` sends, with this week's report if any."""

    kind: str
    unit: SchoolClass | Dormitory
    week: TeachingWeek | None
    report: WeeklyReport | None

    @property
    def unit_id(self) -> int:
        return self.unit.pk


def reporter_units(user, when: datetime.datetime | None = None) -> list[ReporterUnit]:
    """The units whose post ``user`` holds now, each with the current week and its report."""
    posts = (
        RoleAssignment.objects.in_force()
        .filter(user=user, role__in=(Role.COMMITTEE_MEMBER, Role.DORM_LIAISON))
        .filter(Q(school_class__isnull=False) | Q(dormitory__isnull=False))
        .select_related("school_class__grade", "dormitory")
        .order_by("role", "pk")
    )
    units = []
    weeks: dict[int, TeachingWeek | None] = {}
    for post in posts:
        if post.school_id not in weeks:
            weeks[post.school_id] = current_week(post.school_id, when)
        week = weeks[post.school_id]
        kind = WeeklyReport.Kind.CLASS if post.school_class_id else WeeklyReport.Kind.DORMITORY
        unit = post.school_class or post.dormitory
        report = None
        if week is not None:
            report = (
                WeeklyReport.objects.filter(
                    semester=week.semester, week=week.number, **{_unit_field(kind): unit}
                )
                .select_related("reporter")
                .first()
            )
        units.append(ReporterUnit(kind=kind, unit=unit, week=week, report=report))
    return units


def _unit_field(kind: str) -> str:
    return "school_class" if kind == WeeklyReport.Kind.CLASS else "dormitory"


def unit_students(kind: str, unit) -> QuerySet[Student]:
    """The enrolled students of a class or the residents of a dormitory: the classmates a
    reporter may name (their post, not the roster's rules, lets them see these names)."""
    return (
        Student.objects.enrolled()
        .filter(**{_unit_field(kind): unit})
        .only("pk", "name", "student_number", "school_id", "school_class_id")
        .order_by("student_number")
    )


def unit_post_holders(kind: str, unit, role: str | None = None):
    """Who holds the reporter's post of ``unit`` now (or ``role``'s post for it)."""
    from xinqiao.core.models import User

    role = role or (Role.COMMITTEE_MEMBER if kind == WeeklyReport.Kind.CLASS else Role.DORM_LIAISON)
    posts = RoleAssignment.objects.in_force().filter(role=role, **{_unit_field(kind): unit})
    return User.objects.filter(pk__in=posts.values("user_id"), is_active=True)


@dataclass
class SummaryRow:
    kind: str
    unit: SchoolClass | Dormitory
    group: str  # the grade's name, or the dormitory's building
    report: WeeklyReport | None
    worries: int

    @property
    def submitted(self) -> bool:
        return self.report is not None


def week_summary(
    school: School, week: TeachingWeek, *, kind: str = "", status: str = ""
) -> list[SummaryRow]:
    """Per class (by grade) and dormitory (by building): sent or missing, the mood, and the
    number of worried-about classmates. A handful of queries, whatever the number of units."""
    reports = (
        WeeklyReport.objects.filter(school=school, semester=week.semester, week=week.number)
        .annotate(worry_count=Count("worries"))
        .only("pk", "kind", "school_class_id", "dormitory_id", "mood", "submitted_at")
    )
    by_unit = {(r.kind, r.school_class_id or r.dormitory_id): r for r in reports}
    rows: list[SummaryRow] = []
    if kind in ("", WeeklyReport.Kind.CLASS):
        classes = SchoolClass.objects.filter(school=school, graduated=False).select_related("grade")
        for school_class in classes.order_by("grade__level", "number"):
            report = by_unit.get((WeeklyReport.Kind.CLASS, school_class.pk))
            rows.append(
                SummaryRow(
                    WeeklyReport.Kind.CLASS,
                    school_class,
                    school_class.grade.name,
                    report,
                    report.worry_count if report else 0,
                )
            )
    if kind in ("", WeeklyReport.Kind.DORMITORY):
        dorms = Dormitory.objects.filter(school=school, students__status="enrolled").distinct()
        for dorm in dorms.order_by("building", "room"):
            report = by_unit.get((WeeklyReport.Kind.DORMITORY, dorm.pk))
            rows.append(
                SummaryRow(
                    WeeklyReport.Kind.DORMITORY,
                    dorm,
                    dorm.building,
                    report,
                    report.worry_count if report else 0,
                )
            )
    if status == "missing":
        rows = [row for row in rows if not row.submitted]
    elif status == "submitted":
        rows = [row for row in rows if row.submitted]
    return rows


def summary_schools(user) -> QuerySet[School]:
    return School.objects.for_user(user).filter(pk__in=user.school_ids_with(*SUMMARY_ROLES))


def open_worries(user) -> QuerySet[WorriedItem]:
    """Worried-about classmates the counseling side has not yet reviewed."""
    return WorriedItem.objects.for_user(user).filter(reviewed_at__isnull=True)


def board_week(user) -> dict:
    """The director's crisis board section: this week's reports sent and missing per school,
    and the worried-about classmates still waiting for a counselor."""
    schools = []
    for school in School.objects.for_user(user).filter(
        pk__in=user.school_ids_with(*COUNSELING_ROLES)
    ):
        week = current_week(school.pk)
        if week is None:
            continue
        rows = week_summary(school, week)
        schools.append(
            {
                "school": school,
                "week": week,
                "submitted": sum(1 for row in rows if row.submitted),
                "missing": sum(1 for row in rows if not row.submitted),
                "worries": sum(row.worries for row in rows),
            }
        )
    waiting = open_worries(user).select_related("student__school_class__grade", "report")
    return {"schools": schools, "waiting": list(waiting.order_by("added_at")[:20])}
