"""One student or staff member at a time (issue 12 item 24c): add, correct, transfer in and out,
mark as left, with the history of who changed what when."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import sign_in
from tests.people.roster_factories import SchoolClassFactory, StaffFactory
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import RoleAssignment, Staff, Student, StudentPlacement
from xinqiao.people.roster import records
from xinqiao.people.services import role_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, cast):
    sign_in(client, cast.admin)
    return client


def history(client, url) -> str:
    page = client.get(url).content.decode()
    return page.split('data-testid="record-history"')[1]


def test_the_admin_adds_a_transfer_student_with_an_account_a_placement_and_history(admin, cast):
    response = admin.post(
        reverse("people:roster_student_add"),
        {
            "student_number": "2026070199",
            "name": "新同学",
            "gender": "F",
            "birth_date": "2013-05-01",
            "school_class": cast.school_class.pk,
            "transferred_in": "on",
        },
    )

    student = Student.objects.get(school=cast.school, student_number="2026070199")
    assert response.status_code == 302
    assert response.url == reverse("people:roster_student", args=[student.pk])
    assert (student.name, student.status, student.school_class) == (
        "新同学",
        "enrolled",
        cast.school_class,
    )
    assert not student.user.is_active and student.user.username == "2026070199"
    assert RoleAssignment.objects.filter(user=student.user, role=Role.STUDENT).exists()
    placement = StudentPlacement.objects.get(student=student, semester=cast.semester)
    assert (placement.grade_name, placement.status) == ("七年级", "enrolled")
    shown = history(admin, response.url)
    assert shown.count('data-testid="history-row"') == 1
    assert "转入" in shown and cast.admin.display_name in shown


def test_a_taken_student_number_is_refused_in_chinese_and_the_form_keeps_the_input(admin, cast):
    before = Student.objects.count(), User.objects.count()
    response = admin.post(
        reverse("people:roster_student_add"),
        {
            "student_number": cast.student_record.student_number,
            "name": "重名同学",
            "school_class": cast.school_class.pk,
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "已有此学号的学生" in body
    assert 'value="重名同学"' in body
    assert (Student.objects.count(), User.objects.count()) == before


def test_a_number_with_spaces_is_refused_and_nothing_is_saved(admin, cast):
    before = Student.objects.count()
    response = admin.post(
        reverse("people:roster_student_add"),
        {"student_number": "2026 01", "name": "某同学", "school_class": cast.school_class.pk},
    )
    assert response.status_code == 400
    assert "不能有空格" in response.content.decode()
    assert Student.objects.count() == before


def test_correcting_a_record_changes_only_it_and_the_history_says_what_changed(admin, cast):
    student = cast.student_record
    other_class = SchoolClassFactory(school=cast.school, grade=cast.grade, number=2)

    response = admin.post(
        reverse("people:roster_student_edit", args=[student.pk]),
        {"name": "何晓明", "gender": "M", "birth_date": "", "school_class": other_class.pk},
    )

    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.name, student.school_class) == ("何晓明", other_class)
    assert student.user.full_name == "何晓明"
    placement = StudentPlacement.objects.get(student=student, semester=cast.semester)
    assert placement.school_class == other_class
    shown = history(admin, response.url)
    assert "更正" in shown and "何小明 → 何晓明" in shown
    assert f"{cast.school_class.name} → {other_class.name}" in shown


def test_a_student_transfers_out_and_back_in(admin, cast):
    student = cast.student_record
    leave = reverse("people:roster_student_leave", args=[student.pk])

    assert admin.post(leave, {"transferred": "1"}).status_code == 302
    student.refresh_from_db()
    assert student.status == "left"
    placement = StudentPlacement.objects.get(student=student, semester=cast.semester)
    assert placement.status == "left"
    again = admin.post(leave, {"transferred": "1"})
    assert again.status_code == 400 and "只有在读学生" in again.content.decode()

    back = admin.post(
        reverse("people:roster_student_transfer_in", args=[student.pk]),
        {"school_class": cast.school_class.pk},
    )
    assert back.status_code == 302
    student.refresh_from_db()
    assert student.status == "enrolled"
    shown = history(admin, back.url)
    assert shown.count('data-testid="history-row"') == 2
    assert "转出" in shown and "转入" in shown


def test_a_staff_member_is_added_corrected_and_leaves_with_their_roles(admin, cast):
    added = admin.post(
        reverse("people:roster_staff_add"),
        {"school": cast.school.pk, "staff_number": "T777", "name": "孙老师", "phone": ""},
    )
    staff = Staff.objects.get(school=cast.school, staff_number="T777")
    assert added.status_code == 302 and not staff.user.is_active

    edited = admin.post(
        reverse("people:roster_staff_edit", args=[staff.pk]),
        {
            "name": "孙老师",
            "gender": "F",
            "phone": "13800000077",
            "email": "",
            "job_title": "心理教师",
        },
    )
    assert edited.status_code == 302
    role_assign(user=staff.user, role=Role.COUNSELOR, school=cast.school)

    left = admin.post(reverse("people:roster_staff_leave", args=[staff.pk]))

    assert left.status_code == 302
    staff.refresh_from_db()
    assert not staff.is_active
    assert not RoleAssignment.objects.filter(user=staff.user, school=cast.school).exists()
    shown = history(admin, left.url)
    assert shown.count('data-testid="history-row"') == 3
    assert "13800000077" in shown and "离校" in shown


@pytest.mark.parametrize("role", ["director", "principal", "student_affairs", "class_teacher"])
def test_people_who_may_not_import_the_roster_may_not_change_a_record(client, cast, role):
    sign_in(client, getattr(cast, role))
    student = cast.student_record
    response = client.post(
        reverse("people:roster_student_leave", args=[student.pk]), {"transferred": "0"}
    )
    assert response.status_code in (403, 404)
    student.refresh_from_db()
    assert student.status == "enrolled"
    assert records.roster_history(student) == []


def test_the_administrator_manages_the_roster_of_every_school(admin, cast):
    foreign = StaffFactory(school=cast.other_school)
    assert admin.get(reverse("people:roster_staff", args=[foreign.pk])).status_code == 200


# --- the API -------------------------------------------------------------------------------------
def test_the_api_adds_corrects_transfers_and_shows_the_history_of_a_student(admin, cast):
    base = "/api/people/roster/students"
    added = admin.post(
        base,
        {"student_number": "2026070188", "name": "接口同学", "class_id": cast.school_class.pk},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    pk = added.json()["id"]
    other_class = SchoolClassFactory(school=cast.school, grade=cast.grade, number=3)

    corrected = admin.patch(
        f"{base}/{pk}", {"class_id": other_class.pk}, content_type="application/json"
    )
    assert corrected.status_code == 200 and corrected.json()["class_id"] == other_class.pk
    assert corrected.json()["name"] == "接口同学"  # what was not given stays
    left = admin.post(f"{base}/{pk}/leave", {"transferred": True}, content_type="application/json")
    assert left.json()["status"] == "left"
    back = admin.post(f"{base}/{pk}/transfer-in", {}, content_type="application/json")
    assert back.json()["status"] == "enrolled" and back.json()["class_id"] == other_class.pk

    rows = admin.get(f"{base}/{pk}/history").json()
    assert [row["step"] for row in rows] == ["转入", "转出", "更正", "新增"]
    assert {row["actor"] for row in rows} == {cast.admin.display_name}


def test_the_api_refuses_bad_input_with_a_chinese_message_and_saves_nothing(admin, cast):
    before = Student.objects.count()
    response = admin.post(
        "/api/people/roster/students",
        {
            "student_number": "2026070177",
            "name": "某同学",
            "class_id": cast.school_class.pk,
            "gender": "X",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "性别" in response.json()["detail"]
    assert Student.objects.count() == before


def test_a_director_may_not_mark_a_student_as_left_through_the_api(client, cast):
    sign_in(client, cast.director)
    student = cast.student_record
    response = client.post(
        f"/api/people/roster/students/{student.pk}/leave", {}, content_type="application/json"
    )
    assert response.status_code in (403, 404)
    student.refresh_from_db()
    assert student.status == "enrolled"
