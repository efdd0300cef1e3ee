"""The roster import: checking every row, writing all or nothing, re-imports, new school years."""

from __future__ import annotations

import datetime
import io
import os
import re
import time

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import UserFactory, make_user
from tests.people.workbooks import Roster, demo_roster, next_school_year, roster_workbook
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people import tasks
from xinqiao.people.models import (
    Dormitory,
    Grade,
    Guardian,
    GuardianLink,
    RoleAssignment,
    SchoolClass,
    Semester,
    Staff,
    Student,
    StudentCircumstances,
    StudentPlacement,
)
from xinqiao.people.roster import jobs
from xinqiao.people.roster.checks import roster_validate
from xinqiao.people.roster.format import COLUMNS
from xinqiao.people.roster.semesters import SemesterChoice, semesters_advance
from xinqiao.people.roster.workbook import parse_date, parse_phone
from xinqiao.people.roster.writer import RosterInvalid, roster_import
from xinqiao.people.services import role_assign

pytestmark = pytest.mark.django_db

FIRST_TERM = SemesterChoice(2026, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def run(school, roster: Roster | bytes, semester: SemesterChoice = FIRST_TERM, **options):
    source = roster if isinstance(roster, bytes) else roster.workbook()
    return roster_import(actor=None, school=school, semester=semester, source=source, **options)


def begin(school, semester: SemesterChoice) -> None:
    """The first day of ``semester`` comes: it becomes the school's current semester."""
    semesters_advance(school=school, today=semester.dates[0])


def problems(plan) -> set[tuple[str, int | None, str, str]]:
    return {(e.sheet, e.row, e.column, e.code) for e in plan.errors}


def snapshot(school) -> dict:
    """Everything an import writes, as plain values."""
    students = Student.objects.filter(school=school)
    return {
        "users": sorted(User.objects.values_list("username", "full_name", "is_active", "password")),
        "students": sorted(
            students.values_list(
                "student_number",
                "name",
                "gender",
                "birth_date",
                "status",
                "school_class_id",
                "dormitory_id",
                "boarding",
                "user_id",
            )
        ),
        "staff": sorted(Staff.objects.filter(school=school).values_list()),
        "guardians": sorted(Guardian.objects.filter(school=school).values_list()),
        "links": sorted(GuardianLink.objects.values_list()),
        "circumstances": sorted(
            StudentCircumstances.objects.values_list(
                "student_id", *StudentCircumstances.FLAG_FIELDS
            )
        ),
        "placements": sorted(StudentPlacement.objects.values_list()),
        "classes": sorted(SchoolClass.objects.filter(school=school).values_list()),
        "grades": sorted(Grade.objects.filter(school=school).values_list()),
        "dorms": sorted(Dormitory.objects.filter(school=school).values_list()),
        "semesters": sorted(Semester.objects.filter(school=school).values_list()),
        "roles": sorted(
            RoleAssignment.objects.values_list(
                "id", "user_id", "role", "school_id", "semester_id", "school_class_id"
            )
        ),
        "history": LogEntry.objects.count(),
    }


def bad_roster(other_school) -> tuple[Roster, set]:
    """The demo roster with one deliberate mistake of each kind, and where each must be reported."""
    roster = demo_roster()
    s = roster.students
    s.append({**s[0], "姓名": "李明明"})  # row 10: the student number of row 2 again
    s[2]["班号"] = 9  # row 4: 七年级9班 does not exist
    s[3]["出生日期"] = "2013-02-30"  # row 5
    s[4]["性别"] = "未知"  # row 6
    roster.guardians = [g for g in roster.guardians if g["学生学号"] != s[5]["学号"]]  # row 7
    taken = UserFactory(username=s[6]["学号"])  # row 8: an account of another school has it
    role_assign(user=taken, role=Role.STUDENT, school=other_school)
    roster.staff[1]["角色"] = "班主任, 校医"  # row 3: no such role
    roster.staff.append({"工号": "T001", "姓名": "张老师二"})  # row 9: staff number of row 2
    phone_row = next(i for i, g in enumerate(roster.guardians) if g["学生学号"] == s[7]["学号"])
    roster.guardians[phone_row]["手机"] = "12345"
    expected = {
        ("学生", 10, "学号", "duplicate"),
        ("学生", 4, "班号", "unknown_class"),
        ("学生", 5, "出生日期", "bad_date"),
        ("学生", 6, "性别", "bad_gender"),
        ("学生", 7, "学号", "no_guardian"),
        ("学生", 8, "学号", "username_other_school"),
        ("教职工", 3, "角色", "unknown_role"),
        ("教职工", 9, "工号", "duplicate"),
        ("家长", phone_row + 2, "手机", "bad_phone"),
    }
    return roster, expected


# --- the template ------------------------------------------------------------------------------
def test_the_template_has_one_sheet_per_kind_with_the_chinese_headers(signed_in):
    client = signed_in(make_user("admin"))
    response = client.get(reverse("people:roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    for name, headers in COLUMNS.items():
        assert [c.value for c in workbook[name][1]] == list(headers)
    assert COLUMNS["班级"] == ("年级", "班号", "入学年份", "班主任工号")
    assert COLUMNS["家长"] == ("学生学号", "家长姓名", "关系", "手机", "邮箱", "第一联系人")


def test_the_empty_template_is_a_correct_workbook(school):
    from xinqiao.people.roster.template import roster_template

    plan = roster_validate(school=school, semester=FIRST_TERM, source=roster_template())
    assert plan.ok and plan.rows == 0


# --- checking every row -------------------------------------------------------------------------
def test_bad_rows_write_nothing_and_each_is_reported_with_sheet_row_and_column(
    school, other_school
):
    roster, expected = bad_roster(other_school)
    before = snapshot(school)

    plan = roster_validate(school=school, semester=FIRST_TERM, source=roster.workbook())
    assert problems(plan) == expected
    with pytest.raises(RosterInvalid, match=r"problem\(s\) in the roster") as raised:
        run(school, roster)

    assert problems(raised.value.plan) == expected
    assert snapshot(school) == before
    assert not Semester.objects.filter(school=school).exists()


def test_fixing_the_bad_rows_imports_everything_once(school, other_school):
    roster, _expected = bad_roster(other_school)
    with pytest.raises(RosterInvalid, match=r"problem\(s\) in the roster"):
        run(school, roster)
    fixed = demo_roster()  # the mistakes corrected; a free number for the student whose was taken
    taken = fixed.students[6]["学号"]
    for row in [fixed.students[6], *(g for g in fixed.guardians if g["学生学号"] == taken)]:
        row["学号" if "学号" in row else "学生学号"] = "20240199"

    result = run(school, fixed)

    assert result.counts["students_added"] == 8
    semester = Semester.objects.get(school=school)
    assert (semester.school_year, semester.term, semester.is_current) == (2026, 1, True)
    assert (semester.starts_on, semester.ends_on) == (
        datetime.date(2026, 9, 1),
        datetime.date(2027, 1, 20),
    )
    assert list(Grade.objects.filter(school=school).values_list("name", "level", "is_final")) == [
        ("七年级", 7, False),
        ("八年级", 8, False),
        ("九年级", 9, True),
    ]
    li_ming = Student.objects.select_related("school_class__grade", "user", "dormitory").get(
        name="李明"
    )
    assert li_ming.student_number == "20260101" == li_ming.user.username
    assert li_ming.school_class.grade.name == "七年级" and li_ming.school_class.cohort_year == 2026
    assert (li_ming.dormitory.building, li_ming.dormitory.room, li_ming.boarding) == (
        "1号楼",
        "101",
        True,
    )
    assert not li_ming.user.is_active and not li_ming.user.has_usable_password()
    assert li_ming.user.has_role(Role.STUDENT) is False  # inactive until issued
    assert (
        RoleAssignment.objects.filter(user=li_ming.user, role="student", school=school).count() == 1
    )
    # Family circumstances: only for the three students with a flag.
    flagged = StudentCircumstances.objects.filter(student__school=school)
    assert sorted(flagged.values_list("student__name", flat=True)) == ["刘洋", "李明", "杨帆"]
    assert {name for name, _label in flagged.get(student__name="杨帆").flags} == {
        "single_parent",
        "migrant",
    }
    # Guardians: one account per phone; 王芳 and 王刚 share their mother; 李奶奶 is first contact.
    mother = Guardian.objects.get(students__name="王刚")
    assert sorted(mother.students.values_list("name", flat=True)) == ["王刚", "王芳"]
    assert mother.user.username == mother.phone
    links = {link.guardian.name: link for link in li_ming.guardian_links.select_related("guardian")}
    assert links["李奶奶"].is_primary and links["李奶奶"].relation == "grandparent"
    assert not links["李爸爸"].is_primary and links["李爸爸"].relation == "father"
    assert GuardianLink.objects.filter(student__school=school, is_primary=True).count() == 8
    # Staff, their roles, the class teachers' posts for the semester.
    teacher = Staff.objects.get(staff_number="T001")
    assert teacher.user.username == "T001" and teacher.job_title == "语文教师"
    post = RoleAssignment.objects.get(user=teacher.user, role="class_teacher")
    assert post.semester == semester and post.school_class == li_ming.school_class
    assert set(
        RoleAssignment.objects.filter(user__username="T006").values_list("role", flat=True)
    ) == {"counselor", "duty"}
    assert Staff.objects.get(staff_number="T006").part_time_counselor
    assert set(
        RoleAssignment.objects.filter(user__username="T003").values_list("role", flat=True)
    ) == {"class_teacher", "grade_leader"}
    assert Staff.objects.get(staff_number="T007").phone == "0571-88881234"
    # The semester's placements, and the accounts' change history.
    assert StudentPlacement.objects.filter(semester=semester).count() == 8
    assert LogEntry.objects.filter(object_repr="李明").exists()
    assert User.objects.filter(username__in=["T001", "20260101", mother.phone]).count() == 3


def test_reimporting_the_same_workbook_changes_nothing(school):
    roster = demo_roster()
    run(school, roster)
    before = snapshot(school)

    result = run(school, roster)

    assert snapshot(school) == before
    assert result.counts["students_added"] == 0 and result.counts["students_updated"] == 8


def test_a_changed_row_updates_the_person_in_place(school):
    roster = demo_roster()
    run(school, roster)
    roster.students[0]["姓名"] = "李明亮"
    roster.students[0]["留守儿童"] = "否"
    roster.classes[0]["班主任工号"] = "T005"

    run(school, roster)

    student = Student.objects.get(student_number="20260101")
    assert student.name == "李明亮" == User.objects.get(username="20260101").full_name
    assert not StudentCircumstances.objects.get(student=student).left_behind
    posts = RoleAssignment.objects.filter(role="class_teacher", school_class=student.school_class)
    assert list(posts.values_list("user__username", flat=True)) == ["T005"]
    assert Student.objects.filter(school=school).count() == 8


def test_preview_counts_what_the_new_school_year_will_do(school):
    roster = demo_roster()
    run(school, roster)

    plan = roster_validate(
        school=school, semester=SemesterChoice(2027, 1), source=next_school_year(roster).workbook()
    )

    assert plan.ok
    counts = plan.counts
    assert (counts["students_added"], counts["students_promoted"], counts["students_updated"]) == (
        2,
        6,
        0,
    )
    assert (counts["students_graduated"], counts["students_left"]) == (2, 0)
    assert (counts["classes_added"], counts["classes_updated"], counts["semester_added"]) == (
        1,
        3,
        1,
    )


def test_a_new_school_year_promotes_keeps_history_and_graduates_the_final_grade(school):
    roster = demo_roster()
    run(school, roster)
    first = Semester.objects.get(school=school)
    last_year = sorted(StudentPlacement.objects.values_list())

    run(school, next_school_year(roster), SemesterChoice(2027, 1))

    # Every student's history: last year's placements stay as they were, and each student who
    # stays has this year's beside them, a grade up in the same class.
    assert sorted(StudentPlacement.objects.filter(semester=first).values_list()) == last_year
    for student in Student.objects.filter(school=school, school_class__cohort_year__lt=2027):
        history = {p.semester.school_year: p for p in student.placements.select_related("semester")}
        if student.status == "graduated":
            assert set(history) == {2026}, student.name
        else:
            assert set(history) == {2026, 2027}, student.name
            assert history[2026].school_class_id == history[2027].school_class_id
            assert history[2026].grade_name != history[2027].grade_name

    second = Semester.objects.get(school=school, school_year=2027)
    first.refresh_from_db()
    assert first.is_current and not second.is_current  # until the new year begins
    begin(school, SemesterChoice(2027, 1))
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_current and not first.is_current
    li_ming = Student.objects.get(name="李明")
    assert li_ming.status == "enrolled" and li_ming.school_class.grade.name == "八年级"
    assert li_ming.school_class.cohort_year == 2026  # the same class, a grade up
    assert list(li_ming.placements.values_list("semester__school_year", "grade_name")) == [
        (2026, "七年级"),
        (2027, "八年级"),
    ]
    graduates = Student.objects.filter(school=school, school_class__cohort_year=2024)
    assert set(graduates.values_list("status", flat=True)) == {"graduated"}
    assert graduates.first().placements.count() == 1
    old_top = SchoolClass.objects.get(school=school, cohort_year=2024)
    assert old_top.graduated and old_top.grade.name == "九年级"
    assert SchoolClass.objects.get(school=school, cohort_year=2025).grade.name == "九年级"
    new_class = SchoolClass.objects.get(school=school, cohort_year=2027)
    assert new_class.grade.name == "七年级" and not new_class.graduated
    assert Student.objects.filter(school_class=new_class).count() == 2
    # The graduates' teacher now teaches the new class; last year's post stays in the record.
    assert set(
        RoleAssignment.objects.filter(user__username="T004", role="class_teacher").values_list(
            "semester__school_year", "school_class__cohort_year"
        )
    ) == {(2026, 2024), (2027, 2027)}


def test_students_not_listed_in_the_middle_of_a_school_year_have_left(school):
    roster = demo_roster()
    run(school, roster)
    gone = {"20240101", "20250101"}  # one of the final grade, one of 八年级
    roster.students = [s for s in roster.students if s["学号"] not in gone]
    roster.guardians = [g for g in roster.guardians if g["学生学号"] not in gone]

    result = run(school, roster, SemesterChoice(2026, 2), confirm_departures=True)

    assert (result.counts["students_left"], result.counts["students_graduated"]) == (2, 0)
    assert set(
        Student.objects.filter(student_number__in=gone).values_list("status", flat=True)
    ) == {"left"}
    assert not SchoolClass.objects.filter(graduated=True).exists()


def test_a_semester_before_the_current_one_is_refused(school):
    run(school, demo_roster(), SemesterChoice(2027, 1))
    begin(school, SemesterChoice(2027, 1))

    plan = roster_validate(school=school, semester=FIRST_TERM, source=demo_roster().workbook())

    assert [(e.sheet, e.row, e.code) for e in plan.errors] == [
        ("", None, "semester_before_current")
    ]


def test_grades_are_made_in_the_order_they_appear_when_their_names_are_not_known(school):
    roster = Roster(
        classes=[
            {"年级": "机电系", "班号": 1, "入学年份": 2025},
            {"年级": "信息系", "班号": 1, "入学年份": 2024},
        ]
    )
    run(school, roster)

    grades = Grade.objects.filter(school=school)
    assert list(grades.values_list("name", "level", "is_final")) == [
        ("机电系", 1, False),
        ("信息系", 2, True),
    ]


def test_a_school_with_grades_must_name_one_of_them(school):
    run(school, demo_roster())
    roster = demo_roster()
    roster.classes[0]["年级"] = "十年级"

    plan = roster_validate(school=school, semester=FIRST_TERM, source=roster.workbook())

    assert ("班级", 2, "年级", "unknown_grade") in problems(plan)


def test_a_workbook_without_students_changes_only_what_it_names(school):
    run(school, demo_roster())
    before = Student.objects.filter(school=school, status="enrolled").count()

    run(school, Roster(staff=[{"工号": "T100", "姓名": "新老师", "角色": "心理教师"}]))

    assert Student.objects.filter(school=school, status="enrolled").count() == before == 8
    assert not SchoolClass.objects.filter(graduated=True).exists()
    assert RoleAssignment.objects.filter(
        user__username="T100", role="counselor", school=school
    ).exists()


def test_account_names_must_not_clash_within_the_file_or_with_other_accounts(school):
    UserFactory(username="T001")  # an account of nobody's roster (e.g. made by hand)
    roster = demo_roster()
    roster.students[0]["学号"] = "T002"
    roster.guardians[0]["学生学号"] = "T002"

    plan = roster_validate(school=school, semester=FIRST_TERM, source=roster.workbook())

    assert {
        ("教职工", 2, "工号", "username_taken"),
        ("教职工", 3, "工号", "username_in_file"),
    } <= problems(plan)


def test_missing_sheets_and_columns_and_other_files_are_reported(school):
    no_guardians = roster_workbook(classes=demo_roster().classes, leave_out=("家长",))
    plan = roster_validate(school=school, semester=FIRST_TERM, source=no_guardians)
    assert ("家长", None, "", "missing_sheet") in problems(plan)

    workbook = openpyxl.Workbook()
    for name in COLUMNS:
        workbook.create_sheet(name).append([h for h in COLUMNS[name] if h != "学号"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = roster_validate(school=school, semester=FIRST_TERM, source=buffer.getvalue())
    assert problems(plan) == {("学生", 1, "学号", "missing_column")}

    plan = roster_validate(school=school, semester=FIRST_TERM, source=b"not a workbook")
    assert problems(plan) == {("", None, "", "not_a_workbook")}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("13800001111", "13800001111"),
        ("+86 138-0000-1111", "13800001111"),
        ("138 0000 1111", "13800001111"),
    ],
)
def test_mobile_numbers_are_read_as_people_write_them(written, expected):
    assert parse_phone(written, mobile_only=True) == expected


@pytest.mark.parametrize("written", ["12345", "23800001111", "1380000111", "0571-88881234"])
def test_a_guardian_phone_must_be_a_mobile_number(written):
    from xinqiao.people.roster.workbook import _Bad

    with pytest.raises(_Bad, match=r"^bad_phone$"):
        parse_phone(written, mobile_only=True)


@pytest.mark.parametrize(
    "written",
    [
        "2013-05-01",
        "2013/5/1",
        "2013.05.01",
        "2013年5月1日",
        "20130501",
        datetime.datetime(2013, 5, 1),
    ],
)
def test_dates_are_read_in_the_usual_chinese_forms(written):
    assert parse_date(written) == datetime.date(2013, 5, 1)


# --- the command line ----------------------------------------------------------------------------
def test_the_command_imports_a_workbook(school, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(demo_roster().workbook())

    call_command("import_roster", str(path), "--school", school.code, "--semester", "2026-1")

    assert Student.objects.filter(school=school).count() == 8
    assert "8" in capsys.readouterr().out


def test_the_command_fails_with_the_report_and_writes_nothing(school, other_school, tmp_path):
    roster, _expected = bad_roster(other_school)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster.workbook())
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"nothing was imported"):
        call_command(
            "import_roster", str(path), "--school", school.code, "--semester", "2026-1", stderr=err
        )

    assert "学生 · 5 · 出生日期" in err.getvalue()
    assert "教职工 · 3 · 角色" in err.getvalue()
    assert not Student.objects.filter(school=school).exists()


def test_a_dry_run_writes_nothing(school, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(demo_roster().workbook())

    call_command(
        "import_roster", str(path), "--school", school.code, "--dry-run", stdout=io.StringIO()
    )

    assert not Student.objects.filter(school=school).exists()
    assert not Semester.objects.filter(school=school).exists()


def test_the_command_exits_non_zero_on_bad_files(school, tmp_path):
    from xinqiao.cli import main

    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"junk")
    with pytest.raises(SystemExit, match=r"^1$") as exited:
        main(["manage", "import_roster", str(path), "--school", school.code])
    assert exited.value.code == 1


# --- the web flow --------------------------------------------------------------------------------
def upload(client, school, data: bytes, *, year: int = 2026, term: int = 1):
    return client.post(
        reverse("people:roster_import"),
        {
            "school": school.pk,
            "school_year": year,
            "term": term,
            "file": SimpleUploadedFile("花名册.xlsx", data, content_type=XLSX),
        },
    )


def job_of(response) -> jobs.RosterJob:
    job_id = response.url.rstrip("/").rsplit("/", 1)[-1]
    return jobs._load(job_id)


@pytest.fixture
def admin_client(signed_in):
    return signed_in(make_user("admin"))


def test_the_import_page_offers_the_schools_and_the_current_semester(admin_client, school):
    response = admin_client.get(reverse("people:roster_import"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["school"].queryset) == list(type(school).objects.all())
    assert form["school_year"].value() == SemesterChoice.default_for(school).school_year


def test_admin_uploads_sees_the_summary_confirms_and_everything_is_written(admin_client, school):
    response = upload(admin_client, school, demo_roster().workbook())
    assert response.status_code == 302
    job = job_of(response)
    assert job.state == "ready" and job.workbook_path.exists()
    assert not Student.objects.exists()

    page = admin_client.get(response.url)
    assert page.status_code == 200
    assert b'data-testid="roster-summary"' in page.content
    assert b'data-testid="count-students_added">8<' in page.content

    confirmed = admin_client.post(reverse("people:roster_import_confirm", args=[job.id]))
    assert confirmed.status_code == 302
    job = jobs._load(job.id)
    assert job.state == "done" and job.counts["students_added"] == 8
    assert not job.workbook_path.exists()
    assert Student.objects.filter(school=school).count() == 8
    assert LogEntry.objects.filter(object_repr="李明", actor__username="admin").exists()
    assert b'data-testid="roster-done"' in admin_client.get(confirmed.url).content

    again = admin_client.post(reverse("people:roster_import_confirm", args=[job.id]))
    assert again.status_code == 302 and jobs._load(job.id).state == "done"
    assert Student.objects.filter(school=school).count() == 8


def test_bad_rows_are_shown_and_the_form_keeps_the_school_and_semester(
    admin_client, school, other_school
):
    roster, expected = bad_roster(other_school)

    response = upload(admin_client, school, roster.workbook(), year=2026, term=2)
    job = job_of(response)
    page = admin_client.get(response.url)

    assert job.state == "invalid" and not job.workbook_path.exists()
    shown = {(e.sheet, e.row, e.column, e.code) for e in page.context["errors"].object_list}
    assert shown == expected
    assert page.content.count(b'data-testid="roster-error"') == len(expected)
    assert (
        b'data-sheet="\xe5\xad\xa6\xe7\x94\x9f" data-row="5" data-column="\xe5\x87\xba\xe7\x94\x9f\xe6\x97\xa5\xe6\x9c\x9f"'
        in page.content
    )
    form = page.context["form"]
    assert (form["school"].value(), form["school_year"].value(), form["term"].value()) == (
        school.pk,
        2026,
        2,
    )
    assert not Student.objects.exists()

    only_staff = admin_client.get(response.url, {"sheet": "教职工"})
    assert {e.sheet for e in only_staff.context["errors"].object_list} == {"教职工"}


def test_the_report_of_bad_rows_is_written_in_chinese(admin_client, school, other_school):
    """Issue 4: each bad row and column is reported in Chinese (the default language)."""
    roster, expected = bad_roster(other_school)

    page = admin_client.get(upload(admin_client, school, roster.workbook()).url)

    html = page.content.decode()
    rows = re.findall(r'data-testid="roster-error"(.*?)</tr>', html, flags=re.DOTALL)
    assert len(rows) == len(expected)
    for row in rows:
        *_where, problem = re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)
        assert re.search(r"[\u4e00-\u9fff]", problem), problem
        assert not re.search(r"[A-Za-z]{3,}", problem), f"not translated: {problem}"
    header = re.search(r'data-testid="roster-errors">\s*<thead>(.*?)</thead>', html, re.DOTALL)
    for title in re.findall(r"<th[^>]*>(.*?)</th>", header.group(1)):
        assert re.fullmatch(r"[\u4e00-\u9fff]+", title), title


def test_a_file_that_is_not_a_workbook_is_refused_with_the_choices_kept(admin_client, school):
    response = admin_client.post(
        reverse("people:roster_import"),
        {
            "school": school.pk,
            "school_year": 2027,
            "term": 2,
            "file": SimpleUploadedFile("名单.csv", b"a,b"),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "file" in form.errors
    assert (form["school_year"].value(), form["term"].value()) == ("2027", "2")


def test_a_semester_before_the_current_one_is_refused_by_the_form(admin_client, school):
    run(school, demo_roster(), SemesterChoice(2027, 1))
    begin(school, SemesterChoice(2027, 1))
    response = upload(admin_client, school, demo_roster().workbook(), year=2026, term=2)
    assert response.status_code == 200
    assert "school_year" in response.context["form"].errors


def test_large_workbooks_run_on_the_task_queue_and_report_progress(
    admin_client, school, monkeypatch
):
    monkeypatch.setattr(jobs, "BACKGROUND_ROWS", 10)
    calls = []
    for name in ("roster_validate_task", "roster_commit_task"):
        task = getattr(tasks, name)
        monkeypatch.setattr(
            tasks, name, lambda job_id, task=task, name=name: calls.append(name) or task(job_id)
        )
    response = upload(admin_client, school, demo_roster().workbook())
    job = job_of(response)
    assert job.in_background and job.state == "ready"

    admin_client.post(reverse("people:roster_import_confirm", args=[job.id]))

    job = jobs._load(job.id)
    assert calls == ["roster_validate_task", "roster_commit_task"]
    assert job.state == "done" and job.done == job.total > 1
    assert Student.objects.filter(school=school).count() == 8


def test_the_progress_fragment_polls_while_the_import_runs_and_stops_after(admin_client, school):
    job = job_of(upload(admin_client, school, demo_roster().workbook()))
    job.state, job.done, job.total = "committing", 3, 9
    jobs._save(job)
    url = reverse("people:roster_import_status", args=[job.id])

    running = admin_client.get(url, headers={"HX-Request": "true"})
    assert b"<progress" in running.content and b'hx-trigger="every 1s"' in running.content
    assert b"<html" not in running.content

    job.state = "done"
    jobs._save(job)
    finished = admin_client.get(url, headers={"HX-Request": "true"})
    assert (
        b"hx-trigger" not in finished.content and b'data-testid="roster-done"' in finished.content
    )


def test_an_import_is_seen_only_by_the_admin_who_started_it(admin_client, school, signed_in):
    job = job_of(upload(admin_client, school, demo_roster().workbook()))
    other_admin = make_user("admin", username="admin2")
    client = signed_in(other_admin)
    assert client.get(reverse("people:roster_import_status", args=[job.id])).status_code == 404
    assert client.post(reverse("people:roster_import_confirm", args=[job.id])).status_code == 404
    assert jobs._load(job.id).state == "ready"


def test_cancelling_deletes_the_uploaded_file(admin_client, school):
    job = job_of(upload(admin_client, school, demo_roster().workbook()))

    response = admin_client.post(reverse("people:roster_import_cancel", args=[job.id]))

    assert response.status_code == 302
    assert jobs._load(job.id).state == "cancelled" and not job.workbook_path.exists()
    assert (
        admin_client.post(reverse("people:roster_import_confirm", args=[job.id])).status_code == 302
    )
    assert not Student.objects.exists()


def test_old_uploads_are_deleted(admin_client, school):
    job = job_of(upload(admin_client, school, demo_roster().workbook()))
    old = time.time() - 2 * 24 * 3600
    for path in (job.workbook_path, job.json_path):
        os.utime(path, (old, old))

    assert jobs.roster_jobs_prune() == 2
    assert not job.workbook_path.exists()


def test_people_other_than_the_admin_cannot_import(cast, signed_in):
    for role in ("principal", "director", "class_teacher", "student"):
        client = signed_in(getattr(cast, role))
        assert client.get(reverse("people:roster_import")).status_code == 403
        assert upload(client, cast.school, demo_roster().workbook()).status_code == 403
    assert not Student.objects.filter(name="李明").exists()


def test_a_school_without_its_last_grade_yet_graduates_nobody(school):
    roster = demo_roster()
    roster.classes = [c for c in roster.classes if c["年级"] != "九年级"]
    gone = {s["学号"] for s in roster.students if s["年级"] == "九年级"}
    roster.students = [s for s in roster.students if s["学号"] not in gone]
    roster.guardians = [g for g in roster.guardians if g["学生学号"] not in gone]

    run(school, roster)

    assert not Grade.objects.filter(school=school, is_final=True).exists()


def test_a_class_named_twice_is_reported(school):
    roster = demo_roster()
    roster.classes.append({**roster.classes[0], "班主任工号": ""})

    plan = roster_validate(school=school, semester=FIRST_TERM, source=roster.workbook())

    assert {
        ("班级", 6, "入学年份", "duplicate_class"),
        ("班级", 6, "班号", "duplicate_class"),
    } == problems(plan)
