"""The counseling statistics (issue 6 item 12): consultations by category, grade, channel and
month; open cases per counselor; overdue reviews and follow-ups. Counts for leadership, with
the small cells of the breakdowns suppressed; case numbers only for those who hold the cases."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from tests.cases.factories import case_at, category
from tests.factories import make_user
from xinqiao.cases import services_intake
from xinqiao.cases.models import Case, Referral, SupportPlan
from xinqiao.cases.selectors_stats import (
    UNKNOWN,
    Figure,
    case_statistics,
    case_statistics_for_reader,
    default_semester,
    overdue_cases_for_reader,
    suppress_small_counts,
)
from xinqiao.people.models import Semester, Student, StudentPlacement
from xinqiao.people.services import role_assign

pytestmark = pytest.mark.django_db

URL = reverse("cases:statistics")
API = "/api/cases/statistics"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def opened_on(case: Case, day: datetime.date) -> Case:
    Case.objects.filter(pk=case.pk).update(opened_at=at(day))
    case.refresh_from_db()
    return case


def in_semester(cast, month: int = 10, day: int = 15) -> datetime.date:
    return datetime.date(cast.semester.starts_on.year, month, day)


def intake(cast, channel: str = Case.Channel.GUARDIAN, student=None) -> Case:
    """An intake the duty person took: nobody holds it until it is assigned."""
    return services_intake.case_open(
        actor=cast.duty,
        student=student or cast.student_record,
        channel=channel,
        problem="家长反映孩子最近晚上睡不好。",
    )


def previous_semester(cast) -> Semester:
    return Semester.objects.create(
        school=cast.school,
        school_year=2025,
        term=2,
        starts_on=datetime.date(2026, 2, 23),
        ends_on=datetime.date(2026, 7, 10),
    )


def overdue_plan(case: Case, days: int = 3) -> None:
    SupportPlan.objects.filter(case=case, state=SupportPlan.State.APPROVED).update(
        next_review_on=timezone.localdate() - datetime.timedelta(days=days)
    )


def referral(case: Case, cast, *, due_in_days: int, state=Referral.State.OPEN) -> Referral:
    return Referral.objects.create(
        case=case,
        kind=Referral.Kind.INTERNAL,
        to_counselor=cast.director,
        reason="需要更有经验的老师跟进。",
        referred_by=cast.counselor,
        follow_up_due=timezone.localdate() + datetime.timedelta(days=due_in_days),
        state=state,
    )


def figures(items) -> dict[str, int]:
    return {figure.label: figure.count for figure in items}


# --- the figures ------------------------------------------------------------------------------------
def test_consultations_of_the_semester_are_counted_by_category_channel_grade_and_month(cast):
    opened_on(case_at(cast, "active"), in_semester(cast, 10, 8))
    brief = intake(cast, Case.Channel.WALK_IN)
    services_intake.case_answer_briefly(actor=cast.counselor, case=brief, answer="介绍了放松方法。")
    opened_on(brief, in_semester(cast, 11, 3))
    opened_on(intake(cast, Case.Channel.GUARDIAN), in_semester(cast, 11, 20))
    opened_on(intake(cast), datetime.date(2026, 3, 15))  # the semester before
    stranger = Student.objects.create(
        school=cast.other_school,
        user=make_user("student", school=cast.other_school, username="elsewhere"),
        name="外校学生",
        student_number="X1",
    )
    opened_on(
        services_intake.case_open(
            actor=cast.outsider, student=stranger, channel="walk_in", problem="外校的来访。"
        ),
        in_semester(cast),
    )

    stats = case_statistics(school=cast.school, semester=cast.semester)

    assert (stats.consultations, stats.brief_contacts) == (3, 1)
    assert {f.key: f.count for f in stats.by_channel} == {
        value: {"teacher_referral": 1, "walk_in": 1, "guardian": 1}.get(value, 0)
        for value in Case.Channel.values
    }
    by_category = figures(stats.by_category)
    assert by_category["学习"] == 1
    assert (stats.by_category[-1].key, stats.by_category[-1].count) == (UNKNOWN, 2)
    assert figures(stats.by_grade) == {"七年级": 3}
    assert [(f.key, f.count) for f in stats.by_month] == [
        ("2026-09", 0),
        ("2026-10", 1),
        ("2026-11", 2),
        ("2026-12", 0),
        ("2027-01", 0),
    ]


def test_a_case_of_several_natures_counts_under_each(cast):
    case = opened_on(case_at(cast, "assessing"), in_semester(cast))
    case.categories.add(category(cast.school, "情绪"))

    stats = case_statistics(school=cast.school, semester=cast.semester)
    by_category = figures(stats.by_category)

    assert (by_category["学习"], by_category["情绪"]) == (1, 1)
    assert UNKNOWN not in {f.key for f in stats.by_category}


def test_the_grade_is_the_one_the_student_was_in_that_semester(cast):
    opened_on(intake(cast), in_semester(cast))
    StudentPlacement.objects.create(
        student=cast.student_record,
        semester=cast.semester,
        school_class=cast.school_class,
        grade_name="预备年级",
        status=Student.Status.ENROLLED,
    )

    stats = case_statistics(school=cast.school, semester=cast.semester)

    # The school's grades first, in order (with zeros), then names it no longer uses.
    assert [(f.label, f.count) for f in stats.by_grade] == [("七年级", 0), ("预备年级", 1)]


def test_a_previous_semester_counts_its_own_cases(cast):
    before = previous_semester(cast)
    opened_on(intake(cast), datetime.date(2026, 3, 15))
    opened_on(intake(cast), in_semester(cast))

    stats = case_statistics(school=cast.school, semester=before)

    assert stats.consultations == 1
    assert [f.key for f in stats.by_month][:2] == ["2026-02", "2026-03"]
    assert default_semester(cast.school) == cast.semester


def test_open_cases_per_counselor_include_counselors_without_any(cast):
    case_at(cast, "active")
    case_at(cast, "closing")
    case_at(cast, "closed")
    intake(cast)  # not yet assigned

    stats = case_statistics(school=cast.school, semester=cast.semester)

    loads = {p.user_id: (p.open_cases, p.lead_cases) for p in stats.per_counselor}
    assert loads == {
        cast.counselor.pk: (2, 2),
        cast.director.pk: (0, 0),
        cast.second_counselor.pk: (0, 0),
    }
    assert stats.per_counselor[0].user_id == cast.counselor.pk  # the busiest first
    assert (stats.open_cases, stats.unassigned_open_cases) == (3, 1)


def test_overdue_reviews_and_follow_ups_are_counted(cast):
    late = case_at(cast, "active")
    overdue_plan(late)
    on_time = case_at(cast, "active")
    closed = case_at(cast, "closed")
    overdue_plan(closed)  # a closed case owes no review
    referral(late, cast, due_in_days=-1)
    referral(on_time, cast, due_in_days=0)  # due today is not overdue yet
    referral(on_time, cast, due_in_days=-9, state=Referral.State.DONE)
    referral(closed, cast, due_in_days=-2)  # the outcome is still owed

    stats = case_statistics(school=cast.school, semester=cast.semester)

    assert (stats.overdue_reviews, stats.overdue_follow_ups) == (1, 2)


def test_overdue_lists_hold_only_the_cases_the_reader_may_open(cast):
    mine = case_at(cast, "active")
    directors = case_at(cast, "active", counselor=cast.director)
    for case in (mine, directors):
        overdue_plan(case, days=5)
        referral(case, cast, due_in_days=-4)

    def numbers(user) -> tuple[list[str], list[str]]:
        reviews, follow_ups = overdue_cases_for_reader(user, cast.school)
        return [i.number for i in reviews], [i.number for i in follow_ups]

    assert numbers(cast.counselor) == ([mine.number], [mine.number])
    assert sorted(numbers(cast.director)[0]) == sorted([mine.number, directors.number])
    assert numbers(cast.principal) == ([], [])
    reviews, _ = overdue_cases_for_reader(cast.counselor, cast.school)
    assert reviews[0].days_overdue == 5


# --- the page -----------------------------------------------------------------------------------------
def test_leadership_sees_the_counts_but_no_student_and_no_case_number(cast, signed_in):
    case = case_at(cast, "active")
    overdue_plan(case)
    referral(case, cast, due_in_days=-1)

    response = signed_in(cast.principal).get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="stat-overdue-reviews">1<' in page
    assert 'data-testid="stat-overdue-follow-ups">1<' in page
    assert 'data-testid="overdue-lists"' not in page
    assert cast.student_record.name not in page
    assert case.number not in page
    assert reverse("cases:case_detail", args=[case.pk]) not in page


def test_a_counselor_sees_their_overdue_cases_linked_by_number(cast, signed_in):
    mine = case_at(cast, "active")
    directors = case_at(cast, "active", counselor=cast.director)
    for case in (mine, directors):
        overdue_plan(case)

    page = signed_in(cast.counselor).get(URL).content.decode()

    assert f'href="{reverse("cases:case_detail", args=[mine.pk])}">{mine.number}<' in page
    assert directors.number not in page
    assert cast.student_record.name not in page


def test_the_director_sees_every_overdue_case_of_the_school(cast, signed_in):
    cases = [case_at(cast, "active"), case_at(cast, "active", counselor=cast.director)]
    for case in cases:
        referral(case, cast, due_in_days=-2)

    page = signed_in(cast.director).get(URL).content.decode()

    assert all(case.number in page for case in cases)


@pytest.mark.parametrize("role", ["class_teacher", "duty", "supervisor", "student", "admin"])
def test_others_are_refused_the_statistics(cast, signed_in, role):
    assert signed_in(getattr(cast, role)).get(URL).status_code == 403


def test_a_semester_can_be_chosen_and_a_foreign_one_is_ignored(cast, signed_in):
    before = previous_semester(cast)
    opened_on(intake(cast), datetime.date(2026, 3, 15))
    foreign = Semester.objects.create(
        school=cast.other_school,
        school_year=2025,
        term=2,
        starts_on=datetime.date(2026, 2, 23),
        ends_on=datetime.date(2026, 7, 10),
    )
    client = signed_in(cast.director)

    chosen = client.get(URL, {"semester": before.pk})
    ignored = client.get(URL, {"semester": foreign.pk})

    assert chosen.context["semester"] == before
    assert chosen.context["stats"].consultations == 1
    assert ignored.context["semester"] == cast.semester
    assert ignored.context["stats"].consultations == 0


def test_the_charts_use_the_vendored_echarts_and_the_figures_are_tables_too(cast, signed_in):
    opened_on(case_at(cast, "active"), in_semester(cast))

    page = signed_in(cast.director).get(URL).content.decode()

    sources = re.findall(r'<script[^>]* src="([^"]+)"', page)
    assert "/static/vendor/echarts/echarts.min.js" in sources
    assert all(source.startswith("/static/") for source in sources)  # no CDN
    assert 'id="case-stats-data"' in page
    for chart in ("month", "category", "grade", "channel"):
        assert f'data-testid="table-{chart}"' in page
    with translation.override("zh-hans"):
        grade_note = gettext("The grade the student was in that semester.")
    assert page.count(grade_note) == 1  # under its own chart only


def test_the_page_takes_a_bounded_number_of_queries(cast, signed_in, django_assert_max_num_queries):
    client = signed_in(cast.director)
    for state in ("intake", "assessing", "active", "closing", "closed", "archived"):
        case = case_at(cast, state, counselor=cast.director if state == "active" else None)
        overdue_plan(case)
        referral(case, cast, due_in_days=-1)
    client.get(URL)  # warm the caches a first request fills (session, roles)

    with django_assert_max_num_queries(25) as few:
        client.get(URL)
    for _ in range(5):
        overdue_plan(case_at(cast, "active", counselor=cast.director))
    with django_assert_max_num_queries(25) as many:
        client.get(URL)

    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_school_without_a_semester_says_so(cast, signed_in):
    principal = make_user("principal", school=cast.other_school, username="principal-two")

    response = signed_in(principal).get(URL)

    assert response.status_code == 200
    assert 'data-testid="stats-no-semester"' in response.content.decode()
    assert signed_in(principal).get("/api/cases/statistics").status_code == 404


# --- small cells suppressed for leadership ------------------------------------------------------------
def by_channel(cast, counts: dict[str, int]) -> None:
    """Consultations of the semester opened through each channel, ``counts`` of them."""
    for channel, n in counts.items():
        for _ in range(n):
            opened_on(intake(cast, channel), in_semester(cast))


def cells(figures) -> dict[str, tuple[int | None, bool]]:
    return {f.key: (f.count, f.suppressed) for f in figures}


def not_shown() -> str:
    with translation.override("zh-hans"):
        return pgettext("statistics cell", "not shown")


def table_cell(page: str, chart: str, key: str) -> str:
    """The count cell of row ``key`` in the table of ``chart``, as the HTML has it."""
    table = re.search(rf'data-testid="table-{chart}">(.*?)</table>', page, re.S).group(1)
    return re.search(rf'<tr data-key="{key}"><td>[^<]*</td>(<td[^>]*>[^<]*</td>)', table).group(1)


def test_small_counts_are_suppressed_zero_stays_and_one_small_cell_takes_another_with_it():
    def figures(*counts):
        return [Figure(str(i), str(i), n) for i, n in enumerate(counts)]

    def shown(items):
        return [None if f.suppressed else f.count for f in items]

    assert shown(suppress_small_counts(figures(0, 1, 2, 7))) == [0, None, None, 7]
    # One small cell alone would be the total less the others: the smallest other goes too.
    assert shown(suppress_small_counts(figures(0, 9, 1, 4, 5))) == [0, 9, None, None, 5]
    assert shown(suppress_small_counts(figures(4, 2, 4))) == [None, None, 4]  # the first of a tie
    assert shown(suppress_small_counts(figures(0, 3, 40))) == [0, 3, 40]
    assert shown(suppress_small_counts(figures(0, 0))) == [0, 0]
    assert all(f.count is None for f in suppress_small_counts(figures(1, 5)))


def test_leadership_gets_no_breakdown_count_below_three_where_counseling_staff_get_them(cast):
    by_channel(cast, {"walk_in": 1, "guardian": 2, "letter": 3})

    exact = case_statistics_for_reader(cast.director, school=cast.school, semester=cast.semester)
    held = case_statistics_for_reader(cast.principal, school=cast.school, semester=cast.semester)

    assert cells(exact.by_channel)["walk_in"] == (1, False)
    assert cells(exact.by_channel)["guardian"] == (2, False)
    assert not exact.any_suppressed
    channels = cells(held.by_channel)
    assert channels.pop("walk_in") == channels.pop("guardian") == (None, True)
    assert channels.pop("letter") == (3, False)  # two small cells hide each other
    assert set(channels.values()) == {(0, False)}  # zero stays zero
    assert held.any_suppressed
    # The headline totals and the counselors' loads are exact for everybody.
    assert held.consultations == exact.consultations == 6
    assert held.open_cases == exact.open_cases == 6
    assert held.per_counselor == exact.per_counselor
    assert cells(held.by_grade) == {"七年级": (6, False)}
    counselor = case_statistics_for_reader(
        cast.counselor, school=cast.school, semester=cast.semester
    )
    assert cells(counselor.by_channel) == cells(exact.by_channel)


def test_a_lone_small_cell_hides_the_smallest_other_so_the_total_does_not_give_it_away(cast):
    by_channel(cast, {"walk_in": 1, "guardian": 4, "letter": 3})

    held = case_statistics_for_reader(cast.principal, school=cast.school, semester=cast.semester)

    channels = cells(held.by_channel)
    assert channels["walk_in"] == channels["letter"] == (None, True)
    assert channels["guardian"] == (4, False)
    assert held.consultations == 8


def test_a_principal_who_also_counsels_at_the_school_sees_exact_counts(cast):
    role_assign(user=cast.principal, role="counselor", school=cast.school)
    by_channel(cast, {"walk_in": 1})

    stats = case_statistics_for_reader(cast.principal, school=cast.school, semester=cast.semester)

    assert cells(stats.by_channel)["walk_in"] == (1, False)


def test_the_principals_page_shows_not_shown_where_the_directors_shows_the_count(cast, signed_in):
    by_channel(cast, {"walk_in": 1, "guardian": 2, "letter": 3})

    director = signed_in(cast.director).get(URL)
    principal = signed_in(cast.principal).get(URL)

    page = director.content.decode()
    assert table_cell(page, "channel", "walk_in") == "<td>1</td>"
    assert table_cell(page, "channel", "guardian") == "<td>2</td>"
    assert 'data-testid="stats-suppressed-note"' not in page
    assert director.context["charts"]["channel"]["counts"][:4] == [1, 0, 0, 2]

    page = principal.content.decode()
    assert table_cell(page, "channel", "walk_in") == f"<td data-suppressed>{not_shown()}</td>"
    assert table_cell(page, "channel", "guardian") == f"<td data-suppressed>{not_shown()}</td>"
    assert table_cell(page, "channel", "letter") == "<td>3</td>"
    assert table_cell(page, "channel", "appointment") == "<td>0</td>"
    assert 'data-testid="stats-suppressed-note"' in page
    with translation.override("zh-hans"):
        note = gettext(
            "To protect students' privacy, counts below %(below)s are not shown, nor one other "
            "count of the same table where the total would give a hidden one away."
        )
    assert note % {"below": 3} in page
    assert 'data-testid="stat-consultations">6<' in page
    # Neither the context nor the chart data carry the hidden numbers: no bar is drawn.
    assert [f.count for f in principal.context["stats"].by_channel[:4]] == [None, 0, 0, None]
    counts = principal.context["charts"]["channel"]["counts"]
    assert counts[:4] == [None, 0, 0, None]
    assert 1 not in counts and 2 not in counts
    data = re.search(r'id="case-stats-data"[^>]*>(.*?)</script>', page, re.S).group(1)
    assert '"counts": [null, 0, 0, null, 3' in data


def test_the_api_gives_leadership_null_for_a_suppressed_count(cast, signed_in):
    by_channel(cast, {"walk_in": 1, "guardian": 4, "letter": 3})

    director = signed_in(cast.director).get(API).json()
    principal = signed_in(cast.principal).get(API).json()

    def channels(body):
        return {f["key"]: (f["count"], f["suppressed"]) for f in body["by_channel"]}

    assert channels(director)["walk_in"] == (1, False)
    assert channels(director)["letter"] == (3, False)
    hidden = channels(principal)
    assert hidden.pop("walk_in") == hidden.pop("letter") == (None, True)
    assert hidden.pop("guardian") == (4, False)
    assert set(hidden.values()) == {(0, False)}
    assert principal["consultations"] == director["consultations"] == 8
    walk_in = next(f for f in principal["by_channel"] if f["key"] == "walk_in")
    assert set(walk_in) == {"key", "label", "count", "suppressed"}  # no other field holds it
