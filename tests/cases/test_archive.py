"""The archive catalogue (档案目录, seed 001): find any file at once; archive a semester; retention."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import case_at
from tests.conftest import sign_in
from tests.factories import make_user
from xinqiao.cases import services_records
from xinqiao.cases.models import Case, Severity
from xinqiao.people.models import Semester, Student

pytestmark = pytest.mark.django_db

CATALOGUE = "cases:archive"


def another_student(cast, number: int, name: str = "林小红") -> Student:
    return Student.objects.create(
        school=cast.school,
        user=make_user("student", school=cast.school, username=f"student{number}"),
        name=name,
        student_number=f"20260701{number:02d}",
        school_class=cast.school_class,
    )


def rows(response) -> list[Case]:
    return list(response.context["rows"])


def catalogue(client, **params):
    return client.get(reverse(CATALOGUE), params)


# --- the catalogue ------------------------------------------------------------------------------
def test_the_catalogue_lists_archived_cases_with_their_dates_retention_and_contents(
    cast, signed_in
):
    archived = case_at(cast, "archived")
    case_at(cast, "closed")  # closed, not yet archived: not in the catalogue
    # Grown up: kept until the date set at archiving, not until 18 plus 3 years.
    Student.objects.filter(pk=archived.student_id).update(birth_date=datetime.date(2000, 1, 1))
    response = catalogue(signed_in(cast.director))
    assert response.status_code == 200
    assert rows(response) == [archived]
    row = rows(response)[0]
    assert (row.record_count, row.summary_count, row.evaluation_count) == (1, 0, 1)
    page = response.content.decode()
    assert archived.archive_number in page
    assert "何小明" in page and "2026070101" in page
    assert archived.retention_until.strftime("%Y-%m-%d") in page


def test_retention_follows_the_severity_of_the_case(cast):
    general = case_at(cast, "archived")
    crisis = case_at(cast, "archived", severity=Severity.CRISIS)
    today = timezone.localdate()
    assert general.retention_until.year == today.year + 10
    assert crisis.retention_until.year == today.year + 30


@pytest.mark.parametrize(
    "query",
    ["林小红", "小红", "2026070107", "DA-2026-1-0002", "da-2026-1-0002"],
)
def test_a_file_is_found_by_student_name_student_number_or_catalogue_number(cast, signed_in, query):
    case_at(cast, "archived")
    wanted = case_at(cast, "archived", student=another_student(cast, 7))
    assert wanted.archive_number == "DA-2026-1-0002"
    response = catalogue(signed_in(cast.counselor), q=query)
    assert rows(response) == [wanted]


def test_a_search_that_matches_nothing_says_so(cast, signed_in):
    case_at(cast, "archived")
    response = catalogue(signed_in(cast.director), q="不存在的人")
    assert rows(response) == []
    assert 'data-testid="archive-empty"' in response.content.decode()


def test_the_catalogue_filters_by_semester_and_severity(cast, signed_in):
    general = case_at(cast, "archived")
    serious = case_at(cast, "archived", severity=Severity.SERIOUS)
    earlier = Semester.objects.create(
        school=cast.school,
        school_year=2025,
        term=2,
        starts_on=datetime.date(2026, 2, 20),
        ends_on=datetime.date(2026, 7, 10),
    )
    client = signed_in(cast.director)
    assert set(rows(catalogue(client, semester=cast.semester.pk))) == {general, serious}
    assert rows(catalogue(client, semester=earlier.pk)) == []
    assert rows(catalogue(client, severity="serious")) == [serious]
    assert rows(catalogue(client, severity="general")) == [general]


def test_the_catalogue_is_paginated(cast, signed_in):
    for _ in range(32):
        case_at(cast, "archived")
    client = signed_in(cast.director)
    first = catalogue(client)
    assert len(rows(first)) == 30
    assert first.context["page"].paginator.count == 32
    assert len(rows(catalogue(client, page=2))) == 2


def test_the_catalogue_takes_the_same_number_of_queries_however_many_files_it_lists(
    cast, client, django_assert_max_num_queries
):
    """Fast retrieval (seed 001): one query for the page's rows, their counts included."""
    case_at(cast, "archived")
    sign_in(client, cast.counselor)
    with CaptureQueriesContext(connection) as one:
        catalogue(client, q="何小明")
    for number in range(10, 22):
        case_at(cast, "archived", student=another_student(cast, number, f"学生{number}"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = catalogue(client)
    assert len(rows(response)) == 13
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = catalogue(client, q="2026070115")
    assert len(rows(response)) == 1


def test_a_counselor_sees_the_catalogue_but_opens_only_the_files_of_students_they_hold(
    cast, signed_in
):
    held = case_at(cast, "archived")
    stranger = make_user("counselor", school=cast.school, username="counselor2")
    other = case_at(cast, "archived", student=another_student(cast, 8), counselor=stranger)
    response = catalogue(signed_in(cast.counselor))
    by_case = {case.pk: case.may_open_file for case in rows(response)}
    assert by_case == {held.pk: True, other.pk: False}
    page = response.content.decode()
    assert reverse("cases:student_file", args=[cast.student_record.pk]) in page
    assert reverse("cases:student_file", args=[other.student_id]) not in page


@pytest.mark.parametrize("role", ["class_teacher", "principal", "duty", "supervisor", "admin"])
def test_the_catalogue_is_closed_to_everyone_outside_the_counseling_side(cast, client, role):
    case_at(cast, "archived")
    response = catalogue(sign_in(client, getattr(cast, role)))
    assert response.status_code == 403
    assert "何小明" not in response.content.decode()


def test_the_catalogue_of_one_school_shows_nothing_of_another(cast, signed_in):
    case_at(cast, "archived")
    response = catalogue(signed_in(cast.outsider))
    assert response.status_code == 200
    assert rows(response) == []


# --- retention ----------------------------------------------------------------------------------
def past_retention(case: Case) -> Case:
    # Only time makes a file pass its retention date; the test moves the dates instead: the
    # date set at archiving, and the student's birth (18 plus 3 years ago and more).
    Case.objects.filter(pk=case.pk).update(
        retention_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    Student.objects.filter(pk=case.student_id).update(birth_date=datetime.date(2000, 1, 1))
    case.refresh_from_db()
    return case


def test_a_file_past_its_archiving_date_stays_while_the_student_is_under_18_plus_3(cast, signed_in):
    young = past_retention(case_at(cast, "archived"))
    Student.objects.filter(pk=young.student_id).update(birth_date=timezone.localdate())
    response = catalogue(signed_in(cast.director), past="1")
    assert rows(response) == []
    page = catalogue(signed_in(cast.director)).content.decode()
    assert 'data-past-retention="1"' not in page
    assert str(timezone.localdate().year + 21) in page  # kept until the 21st birthday


def test_the_director_lists_the_files_past_their_retention_date(cast, signed_in):
    expired = past_retention(case_at(cast, "archived"))
    case_at(cast, "archived")
    response = catalogue(signed_in(cast.director), past="1")
    assert rows(response) == [expired]
    assert 'data-past-retention="1"' in response.content.decode()


def test_the_past_retention_filter_is_the_directors_only(cast, signed_in):
    past_retention(case_at(cast, "archived"))
    case_at(cast, "archived")
    response = catalogue(signed_in(cast.counselor), past="1")
    assert len(rows(response)) == 2
    assert 'data-testid="past-retention"' not in response.content.decode()


# --- archiving a semester -----------------------------------------------------------------------
def test_the_confirmation_page_tells_how_many_closed_cases_will_be_archived(cast, signed_in):
    case_at(cast, "closed")
    case_at(cast, "closed")
    case_at(cast, "active")
    case_at(cast, "archived")
    url = reverse("cases:archive_semester")
    response = signed_in(cast.director).get(url, {"semester": cast.semester.pk})
    assert response.status_code == 200
    assert response.context["pending_count"] == 2
    assert 'data-count="2"' in response.content.decode()
    assert Case.objects.filter(state=Case.State.CLOSED).count() == 2  # nothing done yet


def test_the_confirmation_page_starts_on_the_current_semester(cast, signed_in):
    response = signed_in(cast.director).get(reverse("cases:archive_semester"))
    assert response.status_code == 200
    assert response.context["form"]["semester"].value() == cast.semester.pk


def test_archiving_a_semester_gives_every_closed_case_a_catalogue_number(cast, signed_in):
    first, second = case_at(cast, "closed"), case_at(cast, "closed")
    still_open = case_at(cast, "active")
    response = signed_in(cast.director).post(
        reverse("cases:archive_semester"), {"semester": cast.semester.pk}
    )
    assert response.status_code == 302
    assert response.url == f"{reverse(CATALOGUE)}?semester={cast.semester.pk}"
    for case in (first, second):
        case.refresh_from_db()
        assert case.state == Case.State.ARCHIVED
        assert case.archive_number.startswith("DA-2026-1-")
        assert case.archive_semester == cast.semester
        assert case.retention_until is not None
    still_open.refresh_from_db()
    assert still_open.state == Case.State.ACTIVE


def test_cases_closed_after_a_semester_ended_wait_for_a_later_semester(cast, signed_in):
    case_at(cast, "closed")
    earlier = Semester.objects.create(
        school=cast.school,
        school_year=2025,
        term=2,
        starts_on=datetime.date(2026, 2, 20),
        ends_on=datetime.date(2026, 7, 10),
    )
    client = signed_in(cast.director)
    response = client.get(reverse("cases:archive_semester"), {"semester": earlier.pk})
    assert response.context["pending_count"] == 0
    client.post(reverse("cases:archive_semester"), {"semester": earlier.pk})
    assert not Case.objects.filter(state=Case.State.ARCHIVED).exists()


def test_archiving_without_a_semester_comes_back_with_a_message(cast, signed_in):
    case_at(cast, "closed")
    response = signed_in(cast.director).post(reverse("cases:archive_semester"), {})
    assert response.status_code == 400
    assert response.context["form"].errors["semester"]
    assert Case.objects.filter(state=Case.State.CLOSED).count() == 1


def test_a_director_cannot_archive_another_schools_semester(cast, signed_in):
    foreign = Semester.objects.create(
        school=cast.other_school,
        school_year=2026,
        term=1,
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 20),
    )
    response = signed_in(cast.director).post(
        reverse("cases:archive_semester"), {"semester": foreign.pk}
    )
    assert response.status_code == 400
    assert not Case.objects.filter(state=Case.State.ARCHIVED).exists()


def test_a_counselor_may_not_archive_a_semester(cast, signed_in):
    case_at(cast, "closed")
    response = signed_in(cast.counselor).post(
        reverse("cases:archive_semester"), {"semester": cast.semester.pk}
    )
    assert response.status_code == 403
    assert not Case.objects.filter(state=Case.State.ARCHIVED).exists()


def test_an_archived_case_lands_in_the_students_file(cast, signed_in):
    closed = case_at(cast, "closed")
    services_records.archive_semester(actor=cast.director, semester=cast.semester)
    closed.refresh_from_db()
    page = (
        signed_in(cast.director)
        .get(reverse("cases:student_file", args=[cast.student_record.pk]))
        .content.decode()
    )
    assert closed.archive_number in page
