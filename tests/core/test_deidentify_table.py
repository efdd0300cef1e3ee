"""The tabular de-identification engine (core/deidentify_table.py): quasi-identifiers
generalised along their hierarchies, small groups suppressed, every released combination
covering at least k rows (seed 000: 必须隐去可能辨认出来访学生的有关信息)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinqiao.core.deidentify_table import (
    ANY,
    UNKNOWN,
    age_band,
    age_hierarchy,
    age_on,
    age_stage,
    date_hierarchy,
    duration_weeks,
    grade_hierarchy,
    grade_stage,
    k_anonymise,
    mapped_hierarchy,
    month_label,
    plain_hierarchy,
    quarter_label,
    smallest_group,
)

QUASI = {
    "gender": plain_hierarchy("gender"),
    "age": age_hierarchy("age"),
    "grade": grade_hierarchy("grade"),
    "month": date_hierarchy("month"),
    "category": mapped_hierarchy("category", {"学习": "学业", "适应": "学业"}, "其他"),
}


def test_ages_become_bands_and_stages():
    assert age_on(datetime.date(2012, 6, 1), datetime.date(2026, 5, 31)) == 13
    assert age_on(datetime.date(2012, 6, 1), datetime.date(2026, 6, 1)) == 14
    assert age_band(13) == "12–13"
    assert age_band(13, 4) == "12–15"
    assert age_stage(13) == "12–14"
    assert age_stage(18) == "18+"
    assert age_band(None) == UNKNOWN


def test_dates_become_months_quarters_and_weeks():
    day = datetime.date(2026, 5, 17)
    assert month_label(day) == "2026-05"
    assert quarter_label(day) == "2026-Q2"
    assert duration_weeks(day, day) == 1
    assert duration_weeks(day, day + datetime.timedelta(days=7)) == 1
    assert duration_weeks(day, day + datetime.timedelta(days=8)) == 2


def test_grades_become_school_stages():
    assert grade_stage(3) == grade_stage(6)
    assert grade_stage(7) != grade_stage(10)
    hierarchy = grade_hierarchy("grade")
    assert hierarchy.apply(("七年级", 7), 0) == "七年级"
    assert hierarchy.apply(("七年级", 7), 1) == grade_stage(7)
    assert hierarchy.apply(("七年级", 7), 2) == ANY


def record(gender="F", age=13, grade=("七年级", 7), month=datetime.date(2026, 3, 5), cat="学习"):
    return {"gender": gender, "age": age, "grade": grade, "month": month, "category": cat, "n": 1}


def test_a_table_that_is_already_k_anonymous_is_released_as_recorded():
    records = [record() for _ in range(5)] + [record(gender="M") for _ in range(5)]

    release = k_anonymise(records, QUASI, k=5)

    assert release.suppressed == 0
    assert set(release.levels.values()) == {0}
    assert release.rows[0]["month"] == "2026-03"
    assert release.smallest_group == 5


def test_a_lone_student_is_generalised_away_or_suppressed():
    records = [record() for _ in range(9)] + [record(gender="M", age=17, cat="适应")]

    release = k_anonymise(records, QUASI, k=5, max_suppressed=0.1)

    assert release.suppressed == 1
    assert len(release.rows) == 9
    assert all(row["gender"] == "F" for row in release.rows)


def test_generalising_keeps_more_rows_than_suppressing_alone():
    # Five girls of one grade, each in another month: by month, every group is one student.
    records = [record(month=datetime.date(2026, m, 1)) for m in range(1, 6)]

    release = k_anonymise(records, QUASI, k=5)

    assert release.suppressed == 0
    assert release.levels["month"] >= 2  # the year (quarters still split them)
    assert {row["month"] for row in release.rows} == {"2026"}


def test_fewer_rows_than_k_release_nothing():
    release = k_anonymise([record() for _ in range(4)], QUASI, k=5)

    assert release.rows == []
    assert release.suppressed == 4


def test_the_records_given_are_left_alone():
    records = [record() for _ in range(5)]

    k_anonymise(records, QUASI, k=5)

    assert records[0]["month"] == datetime.date(2026, 3, 5)


def test_k_below_one_is_refused():
    with pytest.raises(ValueError):
        k_anonymise([record()], QUASI, k=0)


genders = st.sampled_from(["F", "M", ""])
ages = st.one_of(st.none(), st.integers(min_value=6, max_value=20))
grades = st.sampled_from([("七年级", 7), ("八年级", 8), ("高一", 10), ("", None)])
months = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2026, 12, 31))
categories = st.sampled_from(["学习", "适应", "情绪", "家庭", ""])
records_strategy = st.lists(
    st.builds(record, genders, ages, grades, months, categories), min_size=0, max_size=80
)


@settings(max_examples=150, deadline=None)
@given(records=records_strategy, k=st.integers(min_value=2, max_value=10))
def test_every_released_combination_covers_at_least_k_rows(records, k):
    release = k_anonymise(records, QUASI, k=k)

    combos = Counter(tuple(row[q] for q in QUASI) for row in release.rows)
    assert all(count >= k for count in combos.values())
    assert release.suppressed == len(records) - len(release.rows)
    # Nothing is suppressed that a release of k or more could have kept: at the top of every
    # hierarchy all rows are one group, so suppression is needed only below k rows in all.
    if len(records) >= k and all(level == QUASI[q].top for q, level in release.levels.items()):
        assert release.suppressed == 0
    assert smallest_group(release.rows, QUASI) in ({0} if not release.rows else range(k, 10**6))
    # No raw date or grade tuple leaves the engine.
    for row in release.rows:
        assert not isinstance(row["month"], datetime.date)
        assert not isinstance(row["grade"], tuple)


def test_groups_are_counted_in_students_when_the_rows_say_whose_they_are():
    # Five cases of one student and one case each of four others: five rows, one group...
    records = [{**record(), "student": 1} for _ in range(5)]
    records += [{**record(gender="M"), "student": n} for n in range(2, 7)]

    release = k_anonymise(records, QUASI, k=5, subject="student", max_suppressed=0.5)

    # ... but one student: those five rows go, the five boys stay, and whose they were not.
    assert len(release.rows) == 5
    assert {row["gender"] for row in release.rows} == {"M"}
    assert all("student" not in row for row in release.rows)
    assert release.smallest_group == 5


@settings(max_examples=100, deadline=None)
@given(
    records=records_strategy,
    students=st.lists(st.integers(1, 15), min_size=80, max_size=80),
    k=st.integers(min_value=2, max_value=6),
)
def test_every_released_combination_covers_at_least_k_students(records, students, k):
    records = [{**r, "student": s} for r, s in zip(records, students, strict=False)]

    release = k_anonymise(records, QUASI, k=k, subject="student")

    def key(values: dict) -> tuple:
        return tuple(QUASI[q].apply(values[q], release.levels[q]) for q in QUASI)

    released = Counter(tuple(row[q] for q in QUASI) for row in release.rows)
    students_of: dict[tuple, set] = {}
    for r in records:
        students_of.setdefault(key(r), set()).add(r["student"])
    for combination, rows in released.items():
        assert len(students_of[combination]) >= k
        assert rows == sum(1 for r in records if key(r) == combination)
    assert release.suppressed == len(records) - len(release.rows)
    assert all("student" not in row for row in release.rows)
