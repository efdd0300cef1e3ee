"""Roster imports that would do more than meant (issue 12 items 4 and 24): names that look like
formulas, a part of the roster taken for the whole, next term's roster imported ahead."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import make_user
from tests.people.workbooks import Roster, demo_roster
from xinqiao.people.models import SchoolClass, Semester, Student
from xinqiao.people.roster import jobs
from xinqiao.people.roster.checks import roster_validate
from xinqiao.people.roster.semesters import SemesterChoice, semesters_advance
from xinqiao.people.roster.writer import RosterInvalid, roster_import

pytestmark = pytest.mark.django_db

FIRST, SECOND = SemesterChoice(2026, 1), SemesterChoice(2026, 2)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def imported(school) -> Roster:
    """The demo school's roster (8 students, 4 classes), imported into its first term."""
    roster = demo_roster()
    roster_import(actor=None, school=school, semester=FIRST, source=roster.workbook())
    return roster


def only_first_student(roster: Roster) -> Roster:
    """The workbook someone meant as "one new student": one student, their class and guardian."""
    part = roster.copy()
    student = part.students[0]
    part.students = [student]
    part.guardians = [g for g in part.guardians if g["学生学号"] == student["学号"]]
    part.classes = [
        c for c in part.classes if (c["年级"], c["班号"]) == (student["年级"], student["班号"])
    ]
    return part


def statuses(school) -> dict[str, str]:
    return dict(Student.objects.filter(school=school).values_list("student_number", "status"))


def open_classes(school) -> int:
    return SchoolClass.objects.filter(school=school, graduated=False).count()


# --- 24 (a): many departures need their numbers confirmed --------------------------------------
def test_a_one_student_workbook_is_refused_until_its_departures_are_confirmed(school, imported):
    part = only_first_student(imported)
    before, classes_before = statuses(school), open_classes(school)

    with pytest.raises(RosterInvalid) as refused:
        roster_import(actor=None, school=school, semester=SECOND, source=part.workbook())

    (error,) = refused.value.plan.errors
    assert error.code == "departures_unconfirmed"
    assert error.params == {"left": 7, "enrolled": 8, "percent": 88, "classes_closed": 3}
    assert "7" in error.message and "8" in error.message and "88%" in error.message
    assert statuses(school) == before and open_classes(school) == classes_before
    assert not Semester.objects.filter(school=school, school_year=2026, term=2).exists()

    result = roster_import(
        actor=None,
        school=school,
        semester=SECOND,
        source=part.workbook(),
        confirm_departures=True,
    )
    assert result.counts["students_left"] == 7
    assert list(statuses(school).values()).count("left") == 7


def test_departures_within_the_configured_share_need_no_confirmation(school, imported, settings):
    settings.ROSTER_DEPARTURES_CONFIRM_PERCENT = 90
    plan = roster_validate(
        school=school, semester=SECOND, source=only_first_student(imported).workbook()
    )
    assert plan.ok and plan.departures_to_confirm is None

    settings.ROSTER_DEPARTURES_CONFIRM_PERCENT = 10
    one_leaves = imported.copy()
    gone = one_leaves.students.pop()["学号"]
    one_leaves.guardians = [g for g in one_leaves.guardians if g["学生学号"] != gone]
    plan = roster_validate(school=school, semester=SECOND, source=one_leaves.workbook())
    assert plan.departures_to_confirm == {
        "left": 1,
        "enrolled": 8,
        "percent": 12,
        "classes_closed": 0,
    }


def test_the_command_states_the_departures_and_needs_confirm_departures(school, imported, tmp_path):
    path = tmp_path / "part.xlsx"
    path.write_bytes(only_first_student(imported).workbook())
    before = statuses(school)
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"--confirm-departures"):
        call_command(
            "import_roster", str(path), "--school", school.code, "--semester", "2026-2", stderr=err
        )
    assert "7" in err.getvalue() and "88%" in err.getvalue()
    assert statuses(school) == before

    call_command(
        "import_roster",
        str(path),
        "--school",
        school.code,
        "--semester",
        "2026-2",
        "--confirm-departures",
        stdout=io.StringIO(),
    )
    assert list(statuses(school).values()).count("left") == 7


def upload(client, school, data: bytes, choice: SemesterChoice):
    response = client.post(
        reverse("people:roster_import"),
        {
            "school": school.pk,
            "school_year": choice.school_year,
            "term": choice.term,
            "file": SimpleUploadedFile("花名册.xlsx", data, content_type=XLSX),
        },
    )
    return jobs._load(response.url.rstrip("/").rsplit("/", 1)[-1])


def test_the_import_page_states_the_departures_and_imports_only_once_they_are_ticked(
    school, imported, signed_in
):
    client = signed_in(make_user("admin"))
    job = upload(client, school, only_first_student(imported).workbook(), SECOND)
    status = reverse("people:roster_import_status", args=[job.id])
    confirm = reverse("people:roster_import_confirm", args=[job.id])
    before = statuses(school)

    page = client.get(status).content.decode()
    assert 'data-testid="departures-warning"' in page
    assert "7" in page and "88%" in page and "被标记为离校" in page
    assert 'name="confirm_departures"' in page and "当前学期" in page

    refused = client.post(confirm, follow=True)
    assert "勾选" in refused.content.decode()
    assert jobs._load(job.id).state == "ready" and statuses(school) == before

    client.post(confirm, {"confirm_departures": "yes"})
    assert jobs._load(job.id).state == "done"
    assert list(statuses(school).values()).count("left") == 7


@pytest.mark.parametrize(("value", "accepted"), [("25", True), ("101", False), ("-1", False)])
def test_the_share_of_departures_is_a_validated_setting(value, accepted):
    env = {**os.environ, "XINQIAO_ROSTER_DEPARTURES_CONFIRM_PERCENT": value}
    code = "import xinqiao.settings as s; print(s.ROSTER_DEPARTURES_CONFIRM_PERCENT)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if accepted:
        assert done.stdout.strip() == value
    else:
        assert done.returncode != 0
        assert "XINQIAO_ROSTER_DEPARTURES_CONFIRM_PERCENT" in done.stderr


# --- item 4: names a spreadsheet would run are pointed out --------------------------------------
def test_a_name_that_looks_like_a_formula_is_a_warning_of_the_check(school, signed_in):
    roster = demo_roster()
    # Text cells (a "=" cell of the upload would be a formula, read as its value).
    roster.students[1]["姓名"] = '+HYPERLINK("http://evil.example","点我")'
    roster.staff[0]["姓名"] = "@SUM(A1)"

    plan = roster_validate(school=school, semester=FIRST, source=roster.workbook())

    assert plan.ok
    assert {(w.sheet, w.row, w.column, w.code) for w in plan.warnings} == {
        ("学生", 3, "姓名", "looks_like_formula"),
        ("教职工", 2, "姓名", "looks_like_formula"),
    }
    client = signed_in(make_user("admin"))
    job = upload(client, school, roster.workbook(), FIRST)
    page = client.get(reverse("people:roster_import_status", args=[job.id])).content.decode()
    assert page.count('data-testid="roster-warning"') == 2
    assert "公式" in page and "2 个单元格需要核对" in page


# --- 24 (b): a semester is current from its first day ------------------------------------------
def test_importing_next_terms_roster_leaves_this_term_current_until_next_term_begins(
    school, imported
):
    roster_import(actor=None, school=school, semester=SECOND, source=imported.workbook())
    first = Semester.objects.get(school=school, term=1)
    second = Semester.objects.get(school=school, term=2)
    assert first.is_current and not second.is_current

    assert semesters_advance(today=second.starts_on - datetime.timedelta(days=1)) == 0
    assert school.current_semester == first

    assert semesters_advance(today=second.starts_on) == 1
    assert school.current_semester == second
    assert semesters_advance(today=second.ends_on + datetime.timedelta(days=30)) == 0
    assert school.current_semester == second  # between terms the last one stays current


def test_an_import_into_a_term_that_has_begun_makes_it_current(school):
    roster_import(actor=None, school=school, semester=FIRST, source=demo_roster().workbook())
    semester = Semester.objects.get(school=school)
    assert semester.starts_on <= datetime.date.today()
    assert school.current_semester == semester
