"""Statistics of the counseling side (issue 6 item 12): consultations by category, grade, channel
and month for a semester; open cases per counselor; overdue plan reviews and referral follow-ups.

Every figure is a count computed in the database (``aggregate`` / ``values().annotate()``), so
the number of queries does not grow with the number of cases. Nothing here names a student or
carries case text: the page and the API show these counts to the school's leadership too, but
small cells of the breakdowns are suppressed for them (``case_statistics_for_reader``). The
lists of overdue cases by number are separate (``overdue_cases_for_reader``) and limited to the
cases the reader may open (``Case.objects.for_user``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from xinqiao.cases.models import Case, CaseCounselor, ProblemCategory, Referral, SupportPlan
from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES
from xinqiao.crisis.stats import AlertFigures, alert_figures
from xinqiao.people.models import Grade, School, Semester, StudentPlacement
from xinqiao.people.selectors import holders_of
from xinqiao.rooms.selectors import RoomWeek, counseling_room_week

# Who sees the statistics of a school (``cases.view_statistics``): its counseling staff and
# its leadership. The rule itself lives in rules.py; this picks *which* schools.
STATISTICS_ROLES = COUNSELING_ROLES | LEADERSHIP_ROLES
# Who may also see which cases are overdue (by number, linked): those who read cases.
LIST_ROLES = COUNSELING_ROLES
# The overdue lists are a worklist, not an export: the oldest first, at most this many each.
OVERDUE_LIST_LIMIT = 50
UNKNOWN = "-"
# Readers who are not the school's counseling staff see no breakdown count below this: a
# "self-harm: 1" in a small grade can point to one student (principle 1 of the design).
SUPPRESS_BELOW = 3


@dataclass(frozen=True)
class Figure:
    """One bar of a chart and one row of its table.

    A suppressed figure carries no count at all (``None``), so the hidden number cannot reach a
    template, the chart data or the API by mistake.
    """

    key: str
    label: str
    count: int | None
    suppressed: bool = False


@dataclass(frozen=True)
class CounselorLoad:
    user_id: int
    name: str
    open_cases: int
    lead_cases: int


@dataclass
class CaseStatistics:
    school: School
    semester: Semester
    period_start: datetime.date
    period_end: datetime.date
    consultations: int
    brief_contacts: int
    by_category: list[Figure]
    by_grade: list[Figure]
    by_channel: list[Figure]
    by_month: list[Figure]
    open_cases: int
    unassigned_open_cases: int
    per_counselor: list[CounselorLoad]
    overdue_reviews: int
    overdue_follow_ups: int
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def breakdowns(self) -> tuple[list[Figure], ...]:
        return (self.by_category, self.by_grade, self.by_channel, self.by_month)

    @property
    def any_suppressed(self) -> bool:
        return any(f.suppressed for figures in self.breakdowns for f in figures)


@dataclass(frozen=True)
class OverdueItem:
    case_id: int
    number: str
    due: datetime.date
    days_overdue: int


# --- which school and semester --------------------------------------------------------------------
def statistics_schools(user) -> QuerySet[School]:
    """The schools whose statistics ``user`` may see (leadership or counseling staff there)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return School.objects.none()
    ids = user.school_ids_with(*STATISTICS_ROLES)
    return School.objects.filter(pk__in=ids).order_by("name", "pk")


def default_semester(school: School, semesters: list[Semester] | None = None) -> Semester | None:
    """The current semester, else the latest one that has begun, else the first to come.

    ``semesters``: the school's semesters, newest first, when the caller has them already.
    """
    if semesters is None:
        semesters = list(school.semesters.order_by("-starts_on"))
    today = timezone.localdate()
    return (
        next((s for s in semesters if s.is_current), None)
        or next((s for s in semesters if s.starts_on <= today), None)
        or (semesters[-1] if semesters else None)
    )


def may_list_cases(user, school: School) -> bool:
    return user.has_role(*LIST_ROLES, school_id=school.pk)


# --- the figures ----------------------------------------------------------------------------------
def _bounds(semester: Semester) -> tuple[datetime.datetime, datetime.datetime]:
    """The semester's first and last day as local midnights (the end exclusive)."""
    start = timezone.make_aware(datetime.datetime.combine(semester.starts_on, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(semester.ends_on + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _as_month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def case_statistics(
    *, school: School, semester: Semester, today: datetime.date | None = None
) -> CaseStatistics:
    """The school's figures for ``semester``; open cases and overdue items as of ``today``."""
    today = today or timezone.localdate()
    start, end = _bounds(semester)
    cases = Case.objects.filter(school=school)
    opened = cases.filter(opened_at__gte=start, opened_at__lt=end)
    in_semester = Q(opened_at__gte=start, opened_at__lt=end)

    totals = cases.aggregate(
        **_open_case_counts(),
        consultations=Count("pk", filter=in_semester),
        brief_contacts=Count("pk", filter=in_semester & Q(brief_contact=True)),
        unclassified=Count(
            "pk",
            filter=in_semester
            & ~Q(Exists(Case.categories.through.objects.filter(case_id=OuterRef("pk")))),
        ),
    )

    # A case of several natures counts under each of them; unclassified ones (intakes not yet
    # assessed, brief contacts) have a bar of their own.
    categories = (
        ProblemCategory.objects.filter(school=school)
        .annotate(
            n=Count(
                "cases",
                filter=Q(cases__opened_at__gte=start, cases__opened_at__lt=end),
            )
        )
        .order_by("order", "name")
    )
    by_category = [Figure(str(c.pk), c.name, c.n) for c in categories if c.is_active or c.n]
    if totals["unclassified"]:
        by_category.append(Figure(UNKNOWN, _("not yet classified"), totals["unclassified"]))

    # The grade the student was in that semester (the roster's placements), else today's.
    placement = StudentPlacement.objects.filter(
        student_id=OuterRef("student_id"), semester=semester
    ).values("grade_name")[:1]
    grade_counts = dict(
        opened.annotate(
            grade=Coalesce(Subquery(placement), F("student__school_class__grade__name"), Value(""))
        )
        .values("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    )
    grade_order = list(
        Grade.objects.filter(school=school).order_by("level").values_list("name", flat=True)
    )
    by_grade = [Figure(name, name, grade_counts.pop(name, 0)) for name in grade_order]
    by_grade += [
        Figure(name or UNKNOWN, name or _("no class"), n)
        for name, n in sorted(grade_counts.items())
    ]

    channel_counts = dict(
        opened.values("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    by_channel = [
        Figure(value, str(label), channel_counts.get(value, 0))
        for value, label in Case.Channel.choices
    ]

    month_counts: dict[datetime.date, int] = {}
    rows = opened.annotate(month=TruncMonth("opened_at")).values("month").annotate(n=Count("pk"))
    for row in rows.values_list("month", "n"):
        month = _as_month(row[0])
        month_counts[month] = month_counts.get(month, 0) + row[1]
    by_month = [
        Figure(
            month.strftime("%Y-%m"),
            date_format(month, "YEAR_MONTH_FORMAT"),
            month_counts.get(month, 0),
        )
        for month in _months(semester.starts_on, semester.ends_on)
    ]

    return CaseStatistics(
        school=school,
        semester=semester,
        period_start=semester.starts_on,
        period_end=semester.ends_on,
        consultations=totals["consultations"],
        brief_contacts=totals["brief_contacts"],
        by_category=by_category,
        by_grade=by_grade,
        by_channel=by_channel,
        by_month=by_month,
        open_cases=totals["open_cases"],
        unassigned_open_cases=totals["unassigned"],
        per_counselor=_per_counselor(school),
        overdue_reviews=overdue_reviews(school, today).count(),
        overdue_follow_ups=overdue_follow_ups(school, today).count(),
        today=today,
    )


def case_statistics_for_reader(
    user, *, school: School, semester: Semester, today: datetime.date | None = None
) -> CaseStatistics:
    """The figures ``user`` may see: exact for the school's counseling staff, with the small
    cells of the breakdowns suppressed for anyone else (its leadership).

    Only the breakdowns (by category, grade, channel, month) are suppressed: the headline totals
    are exact, and the open cases per counselor are the staff's workload, not students.
    """
    stats = case_statistics(school=school, semester=semester, today=today)
    if may_list_cases(user, school):
        return stats
    return replace(
        stats,
        by_category=suppress_small_counts(stats.by_category),
        by_grade=suppress_small_counts(stats.by_grade),
        by_channel=suppress_small_counts(stats.by_channel),
        by_month=suppress_small_counts(stats.by_month),
    )


def _open_case_counts() -> dict:
    """The open cases, and those without a counselor yet, as aggregate expressions."""
    is_open = Q(state__in=Case.OPEN_STATES)
    return {
        "open_cases": Count("pk", filter=is_open),
        "unassigned": Count(
            "pk",
            filter=is_open & ~Q(Exists(CaseCounselor.objects.filter(case_id=OuterRef("pk")))),
        ),
    }


def headline_counts(school: School | int, today: datetime.date | None = None) -> dict[str, int]:
    """The statistics page's headline counts as of today, without the semester's breakdowns:
    open cases, unassigned ones, overdue reviews and follow-ups (the workbench's tiles). Totals
    of the school, which its leadership may see (never a list of cases)."""
    today = today or timezone.localdate()
    counts = Case.objects.filter(school=school).aggregate(**_open_case_counts())
    counts["overdue"] = (
        overdue_reviews(school, today).count() + overdue_follow_ups(school, today).count()
    )
    return counts


@dataclass(frozen=True)
class ServiceFigures:
    """What leadership watches besides the cases (issue 17): the counseling room's hours against
    the 10-hour standard and how fast alerts were answered, in a semester."""

    consultations: int
    room: RoomWeek
    alerts: AlertFigures


def service_figures(school_id: int, semester: Semester) -> ServiceFigures:
    start, end = _bounds(semester)
    return ServiceFigures(
        consultations=Case.objects.filter(
            school_id=school_id, opened_at__gte=start, opened_at__lt=end
        ).count(),
        room=counseling_room_week(school_id, semester),
        alerts=alert_figures(school_id, start, end),
    )


def suppress_small_counts(figures: list[Figure]) -> list[Figure]:
    """``figures`` with every count from 1 to ``SUPPRESS_BELOW - 1`` suppressed; zero stays zero.

    Secondary suppression: the total of every breakdown is known or nearly so (by grade, channel
    and month each add up to the consultations shown above them; by category does too unless a
    case has several natures, which the reader cannot tell), so one suppressed cell alone could
    be recovered by subtraction. Then the smallest other non-zero cell is suppressed too, and the
    two look alike: which of them is the small one is not told. Two or more small cells hide
    each other already.
    """
    small = [i for i, f in enumerate(figures) if f.count and f.count < SUPPRESS_BELOW]
    if len(small) == 1:
        others = [i for i, f in enumerate(figures) if f.count and i not in small]
        if others:
            small.append(min(others, key=lambda i: (figures[i].count, i)))
    return [
        replace(f, count=None, suppressed=True) if i in small else f for i, f in enumerate(figures)
    ]


def _per_counselor(school: School) -> list[CounselorLoad]:
    """Every counselor of the school with their open cases (zero too), busiest first."""
    loads = {
        row["user_id"]: row
        for row in CaseCounselor.objects.filter(
            case__school=school, case__state__in=Case.OPEN_STATES
        )
        .values("user_id", "user__full_name", "user__username")
        .annotate(open_cases=Count("case_id"), lead_cases=Count("case_id", filter=Q(is_lead=True)))
    }
    people = [
        CounselorLoad(
            user_id=row["user_id"],
            name=row["user__full_name"] or row["user__username"],
            open_cases=row["open_cases"],
            lead_cases=row["lead_cases"],
        )
        for row in loads.values()
    ]
    for user in (
        holders_of(school.pk, *COUNSELING_ROLES)
        .exclude(pk__in=list(loads))
        .only("full_name", "username")
    ):
        people.append(CounselorLoad(user.pk, user.display_name, 0, 0))
    return sorted(people, key=lambda p: (-p.open_cases, p.name))


# --- overdue items --------------------------------------------------------------------------------
def overdue_reviews(school: School, today: datetime.date) -> QuerySet[SupportPlan]:
    """Approved plans of open cases whose review date has passed (the review is owed)."""
    return SupportPlan.objects.filter(
        case__school=school,
        case__state__in=Case.OPEN_STATES,
        state=SupportPlan.State.APPROVED,
        next_review_on__lt=today,
    )


def overdue_follow_ups(school: School, today: datetime.date) -> QuerySet[Referral]:
    """Referrals still waiting for their outcome after the follow-up date."""
    return Referral.objects.filter(
        case__school=school, state=Referral.State.OPEN, follow_up_due__lt=today
    )


def overdue_cases_for_reader(
    user, school: School, today: datetime.date | None = None
) -> tuple[list[OverdueItem], list[OverdueItem]]:
    """The overdue reviews and follow-ups among the cases ``user`` may open, by case number.

    Leadership gets nothing here (they see the counts only); a counselor sees the cases they
    hold, the director every case of the school.
    """
    if not may_list_cases(user, school):
        return [], []
    today = today or timezone.localdate()
    readable = Case.objects.for_user(user).values("pk")
    reviews = (
        overdue_reviews(school, today)
        .filter(case_id__in=readable)
        .order_by("next_review_on", "case__number")
        .values_list("case_id", "case__number", "next_review_on")[:OVERDUE_LIST_LIMIT]
    )
    follow_ups = (
        overdue_follow_ups(school, today)
        .filter(case_id__in=readable)
        .order_by("follow_up_due", "case__number")
        .values_list("case_id", "case__number", "follow_up_due")[:OVERDUE_LIST_LIMIT]
    )
    return (
        [OverdueItem(pk, number, due, (today - due).days) for pk, number, due in reviews],
        [OverdueItem(pk, number, due, (today - due).days) for pk, number, due in follow_ups],
    )
