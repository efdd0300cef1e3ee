"""The people API answers each caller with what their pages show them, and no more."""

from __future__ import annotations

import datetime

import pytest

from tests.cases.factories import case_at
from xinqiao.core.models import AccessLog
from xinqiao.people.models import (
    Dormitory,
    Guardian,
    GuardianLink,
    Holiday,
    SchoolClass,
    Staff,
    Student,
    StudentCircumstances,
)
from xinqiao.people.services import role_assign, user_for_roster

pytestmark = pytest.mark.django_db


def _student(school_class, number: str, name: str, *, guardian: Guardian | None = None) -> Student:
    student = Student.objects.create(
        school=school_class.school,
        school_class=school_class,
        user=user_for_roster(username=f"s{number}", full_name=name),
        name=name,
        student_number=number,
    )
    if guardian is not None:
        GuardianLink.objects.create(guardian=guardian, student=student, relation="mother")
    return student


@pytest.fixture
def second_class(cast) -> SchoolClass:
    """七年级2班 with 王小红, taught by nobody of the cast."""
    school_class = SchoolClass.objects.create(
        school=cast.school, grade=cast.grade, number=2, cohort_year=2026
    )
    _student(school_class, "2026070201", "王小红")
    return school_class


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


# --- students ----------------------------------------------------------------------------------------
def test_a_class_teacher_lists_only_the_students_of_their_class(signed_in, cast, second_class):
    client = signed_in(cast.class_teacher)
    names = [s["name"] for s in items(client.get("/api/people/students"))]
    assert names == ["何小明"]
    other = Student.objects.get(name="王小红")
    assert client.get(f"/api/people/students/{other.pk}").status_code == 404
    assert items(client.get("/api/people/students", {"class_id": second_class.pk})) == []


def test_a_student_sees_only_themself(signed_in, cast, second_class):
    client = signed_in(cast.student)
    listed = items(client.get("/api/people/students"))
    assert [(s["name"], s["student_number"]) for s in listed] == [("何小明", "2026070101")]
    own = client.get(f"/api/people/students/{cast.student_record.pk}")
    assert own.status_code == 200
    assert own.json()["class_id"] == cast.school_class.pk
    other = Student.objects.get(name="王小红")
    assert client.get(f"/api/people/students/{other.pk}").status_code == 404


def test_a_guardian_sees_only_their_children(signed_in, cast, second_class):
    sister = _student(second_class, "2026070202", "何小丽", guardian=cast.guardian_record)
    client = signed_in(cast.guardian)
    listed = items(client.get("/api/people/students"))
    assert sorted(s["name"] for s in listed) == ["何小丽", "何小明"]
    assert client.get(f"/api/people/students/{sister.pk}").status_code == 200
    stranger = Student.objects.get(name="王小红")
    assert client.get(f"/api/people/students/{stranger.pk}").status_code == 404


def test_students_are_found_by_name_or_number_and_filtered_by_class(signed_in, cast, second_class):
    client = signed_in(cast.principal)
    assert [s["name"] for s in items(client.get("/api/people/students", {"q": "小红"}))] == [
        "王小红"
    ]
    by_number = items(client.get("/api/people/students", {"q": "20260701"}))
    assert [s["name"] for s in by_number] == ["何小明"]
    in_class = items(client.get("/api/people/students", {"class_id": second_class.pk}))
    assert [s["class_name"] for s in in_class] == [str(second_class.name)]


def test_student_answers_never_carry_the_family_circumstances(signed_in, cast):
    client = signed_in(cast.director)
    listed = client.get("/api/people/students").content.decode()
    detail = client.get(f"/api/people/students/{cast.student_record.pk}").content.decode()
    for body in (listed, detail):
        for name in StudentCircumstances.FLAG_FIELDS:
            assert name not in body
    assert set(items(client.get("/api/people/students"))[0]) == {
        "id",
        "school_id",
        "student_number",
        "name",
        "gender",
        "class_id",
        "class_name",
        "status",
    }


def test_a_student_with_two_guardians_is_listed_once(signed_in, cast):
    father = Guardian.objects.create(
        school=cast.school,
        user=user_for_roster(username="father", full_name="何爸爸"),
        name="何爸爸",
        phone="13900000002",
    )
    GuardianLink.objects.create(guardian=father, student=cast.student_record, relation="father")
    client = signed_in(cast.principal)
    assert [s["name"] for s in items(client.get("/api/people/students"))] == ["何小明"]
    assert client.get(f"/api/people/students/{cast.student_record.pk}").status_code == 200


def test_the_student_list_pages(signed_in, cast):
    for seat in range(2, 8):
        _student(cast.school_class, f"20260701{seat:02d}", f"同学{seat}")
    client = signed_in(cast.class_teacher)
    first = client.get("/api/people/students", {"limit": 3}).json()
    assert first["count"] == 7
    assert [s["student_number"] for s in first["items"]] == [
        "2026070101",
        "2026070102",
        "2026070103",
    ]
    last = client.get("/api/people/students", {"limit": 3, "offset": 6}).json()
    assert [s["student_number"] for s in last["items"]] == ["2026070107"]


def test_the_student_list_takes_a_bounded_number_of_queries(
    signed_in, cast, django_assert_max_num_queries
):
    for seat in range(2, 40):
        _student(cast.school_class, f"20260701{seat:02d}", f"同学{seat}")
    client = signed_in(cast.principal)
    with django_assert_max_num_queries(15):
        assert len(items(client.get("/api/people/students"))) == 39


# --- family circumstances ----------------------------------------------------------------------------
def circumstances_url(student) -> str:
    return f"/api/people/students/{student.pk}/circumstances"


@pytest.mark.parametrize("role", ["counselor", "director"])
def test_the_director_and_the_students_counselor_read_the_circumstances_logged(
    signed_in, cast, role
):
    case_at(cast, "intake")  # held by the cast's counselor
    response = signed_in(getattr(cast, role)).get(circumstances_url(cast.student_record))
    assert response.status_code == 200
    body = response.json()
    assert body["recorded"] is True
    assert body["left_behind"] is True
    assert body["flags"] == ["left_behind"]
    entry = AccessLog.objects.get(actor_username=role, action="read")
    assert entry.object_type == "people.StudentCircumstances"
    assert entry.object_id == str(cast.student_record.pk)
    assert entry.school_id == cast.school.pk
    assert entry.path == circumstances_url(cast.student_record)


def test_a_student_without_recorded_circumstances_answers_so_and_is_logged(
    signed_in, cast, second_class
):
    other = Student.objects.get(name="王小红")
    body = signed_in(cast.director).get(circumstances_url(other)).json()
    assert body["recorded"] is False
    assert body["flags"] == []
    assert AccessLog.objects.filter(actor_username="director", object_id=str(other.pk)).exists()


def test_a_counselor_without_a_case_of_the_student_is_refused_and_it_is_logged(signed_in, cast):
    """Issue 11's sweep found it: every counselor of the school read every student's flags."""
    response = signed_in(cast.second_counselor).get(circumstances_url(cast.student_record))
    assert response.status_code == 404
    assert "left_behind" not in response.content.decode()
    assert not AccessLog.objects.filter(action="read").exists()
    assert AccessLog.objects.filter(actor_username="second_counselor", action="denied").exists()


@pytest.mark.parametrize(
    "role", ["class_teacher", "principal", "student", "guardian", "admin", "supervisor", "district"]
)
def test_others_in_scope_are_refused_the_circumstances(signed_in, cast, role):
    response = signed_in(getattr(cast, role)).get(circumstances_url(cast.student_record))
    assert response.status_code == 404  # the circumstances are not theirs to know exist
    assert "left_behind" not in response.content.decode()
    assert not AccessLog.objects.filter(action="read").exists()
    assert AccessLog.objects.filter(actor_username=role, action="denied").exists()


def test_a_counselor_of_another_school_gets_not_found_for_the_circumstances(signed_in, cast):
    client = signed_in(cast.outsider)
    assert client.get(circumstances_url(cast.student_record)).status_code == 404
    assert client.get("/api/people/students/999999/circumstances").status_code == 404
    refused = AccessLog.objects.filter(actor_username="outsider", action="denied")
    assert sorted(refused.values_list("object_id", flat=True)) == sorted(
        [str(cast.student_record.pk), "999999"]
    )
    assert not AccessLog.objects.filter(action="read").exists()


# --- classes, semesters, grades ------------------------------------------------------------------------
def test_a_class_teacher_sees_their_class_only(signed_in, cast, second_class):
    client = signed_in(cast.class_teacher)
    assert [c["name"] for c in items(client.get("/api/people/classes"))] == [
        str(cast.school_class.name)
    ]
    detail = client.get(f"/api/people/classes/{cast.school_class.pk}").json()
    assert (detail["grade_name"], detail["number"], detail["student_count"]) == ("七年级", 1, 1)
    assert client.get(f"/api/people/classes/{second_class.pk}").status_code == 404


def test_classes_are_filtered_by_school_and_grade(signed_in, cast, second_class):
    from xinqiao.people.models import Grade

    eighth = Grade.objects.create(school=cast.school, name="八年级", level=8)
    SchoolClass.objects.create(school=cast.school, grade=eighth, number=1, cohort_year=2025)
    client = signed_in(cast.principal)
    assert len(items(client.get("/api/people/classes"))) == 3
    in_grade = items(client.get("/api/people/classes", {"grade": cast.grade.pk}))
    assert [c["number"] for c in in_grade] == [1, 2]
    assert items(client.get("/api/people/classes", {"school": cast.other_school.pk})) == []
    foreign = SchoolClass.objects.create(
        school=cast.other_school,
        grade=Grade.objects.create(school=cast.other_school, name="七年级", level=7),
        number=1,
        cohort_year=2026,
    )
    assert client.get(f"/api/people/classes/{foreign.pk}").status_code == 404


def test_pupils_and_families_get_no_class_list(signed_in, cast):
    for role in ("student", "guardian", "committee_member", "dorm_liaison"):
        assert signed_in(getattr(cast, role)).get("/api/people/classes").status_code == 403


def test_semesters_come_with_their_holidays(signed_in, cast):
    Holiday.objects.create(
        semester=cast.semester,
        name="国庆节",
        starts_on=datetime.date(2026, 10, 1),
        ends_on=datetime.date(2026, 10, 7),
    )
    client = signed_in(cast.class_teacher)
    [semester] = items(client.get("/api/people/semesters", {"school": cast.school.pk}))
    assert semester["is_current"] is True
    assert semester["starts_on"] == "2026-09-01"
    assert semester["holidays"] == [
        {"name": "国庆节", "starts_on": "2026-10-01", "ends_on": "2026-10-07"}
    ]
    assert items(client.get("/api/people/semesters", {"school": cast.other_school.pk})) == []


def test_grades_of_the_callers_school_only(signed_in, cast):
    from xinqiao.people.models import Grade

    Grade.objects.create(school=cast.other_school, name="高一", level=10)
    grades = items(signed_in(cast.counselor).get("/api/people/grades"))
    assert [(g["name"], g["level"]) for g in grades] == [("七年级", 7)]
    assert signed_in(cast.student).get("/api/people/grades").status_code == 403


# --- staff and the network -----------------------------------------------------------------------------
def test_staff_are_listed_for_staff_of_the_school_only(signed_in, cast):
    for school, name, number in [
        (cast.school, "孙老师", "0001"),
        (cast.other_school, "钱老师", "9"),
    ]:
        Staff.objects.create(
            school=school,
            user=user_for_roster(username=f"t{number}", full_name=name),
            name=name,
            staff_number=number,
            job_title="班主任",
        )
    listed = items(signed_in(cast.duty).get("/api/people/staff"))
    assert [(s["name"], s["job_title"]) for s in listed] == [("孙老师", "班主任")]
    assert signed_in(cast.student).get("/api/people/staff").status_code == 403
    assert signed_in(cast.guardian).get("/api/people/staff").status_code == 403


def test_the_network_names_who_holds_each_post(signed_in, cast):
    dorm = Dormitory.objects.create(school=cast.school, building="1号楼", room="101")
    role_assign(
        user=cast.committee_member,
        role="committee_member",
        school=cast.school,
        semester=cast.semester,
        school_class=cast.school_class,
    )
    client = signed_in(cast.supervisor)
    network = client.get(f"/api/people/schools/{cast.school.pk}/network").json()
    assert network["semester_id"] == cast.semester.pk
    [grade] = network["grades"]
    [the_class] = grade["classes"]
    assert [h["user_id"] for h in the_class["class_teachers"]] == [cast.class_teacher.pk]
    assert [h["user_id"] for h in the_class["committee_members"]] == [cast.committee_member.pk]
    assert network["dormitories"] == [
        {"dormitory_id": dorm.pk, "building": "1号楼", "room": "101", "liaisons": []}
    ]
    assert network["levels"] == 4
    outsider = signed_in(cast.outsider)
    assert outsider.get(f"/api/people/schools/{cast.school.pk}/network").status_code == 404
