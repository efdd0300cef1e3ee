"""The demo school (`xinqiao demo`): a realistic school, its network, one account per role.

The demo is loaded once for this module (a second or two) inside a transaction that is rolled
back after the module's last test.
"""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import sign_in
from xinqiao.core.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import (
    Dormitory,
    Grade,
    Guardian,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
    Staff,
    Student,
    StudentCircumstances,
    StudentPlacement,
    WorkGroup,
)
from xinqiao.people.network import network_for_school

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """What `xinqiao demo` printed; the demo school stays loaded for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def school(printed) -> School:
    return School.objects.get(code="demo")


def posts(role: str, **unit):
    return RoleAssignment.objects.in_force().filter(role=role, **unit)


def first_class() -> SchoolClass:
    return SchoolClass.objects.get(grade__name="七年级", number=1)


def test_the_school_has_its_district_calendar_and_six_grades(school):
    assert school.name == "心桥实验学校"
    assert school.district.name == "心桥示范区"
    assert school.kind == School.Kind.SECONDARY
    current = school.current_semester
    assert (current.school_year, current.term) == (2026, 1)
    assert (current.starts_on, current.ends_on) == (
        datetime.date(2026, 9, 1),
        datetime.date(2027, 1, 20),
    )
    holidays = {h.name: (h.starts_on, h.ends_on) for h in current.holidays.all()}
    assert holidays["国庆节"] == (datetime.date(2026, 10, 1), datetime.date(2026, 10, 7))
    assert holidays["元旦"] == (datetime.date(2027, 1, 1), datetime.date(2027, 1, 1))
    previous = Semester.objects.get(school=school, is_current=False)
    assert (previous.school_year, previous.term) == (2025, 2)
    grades = list(Grade.objects.filter(school=school).order_by("level"))
    assert [(g.name, g.level) for g in grades] == [
        ("七年级", 7),
        ("八年级", 8),
        ("九年级", 9),
        ("高一", 10),
        ("高二", 11),
        ("高三", 12),
    ]
    assert [g.name for g in grades if g.is_final] == ["高三"]


def test_twenty_four_classes_of_about_fifty_students(school):
    classes = SchoolClass.objects.filter(school=school).annotate(size=Count("students"))
    assert classes.count() == 24
    assert all(45 <= c.size <= 55 for c in classes)
    assert Counter(c.grade.name for c in classes) == dict.fromkeys(
        ["七年级", "八年级", "九年级", "高一", "高二", "高三"], 4
    )
    assert 1150 <= Student.objects.filter(school=school).count() <= 1250
    assert Student.objects.get(student_number="2026070101").name == "何小明"


def test_every_student_has_one_or_two_guardians_and_boarders_a_dormitory(school):
    students = Student.objects.filter(school=school).annotate(guardian_count=Count("guardians"))
    assert {s.guardian_count for s in students} <= {1, 2}
    boarders = students.filter(boarding=True)
    assert 0.3 <= boarders.count() / students.count() <= 0.5
    assert not boarders.filter(dormitory__isnull=True).exists()
    assert not students.filter(boarding=False, dormitory__isnull=False).exists()
    for dorm in Dormitory.objects.filter(school=school).prefetch_related("students"):
        assert dorm.building in {"1号楼", "2号楼", "3号楼", "4号楼"}
        assert {s.gender for s in dorm.students.all()} == {dorm.gender}
    assert Guardian.objects.filter(school=school).values("phone").distinct().count() == (
        Guardian.objects.filter(school=school).count()
    )


def test_about_one_student_in_eight_has_family_circumstances(school):
    share = StudentCircumstances.objects.count() / Student.objects.count()
    assert 0.08 <= share <= 0.16
    flagged = StudentCircumstances.objects.filter(left_behind=True).first()
    assert flagged.flags and flagged.notes  # the notes are stored encrypted, read back plain


def test_placements_keep_two_semesters_of_history(school):
    current, previous = school.current_semester, Semester.objects.get(is_current=False)
    assert StudentPlacement.objects.filter(semester=current).count() == Student.objects.count()
    last_spring = StudentPlacement.objects.filter(semester=previous)
    assert last_spring.count() > 800
    assert not last_spring.filter(grade_name="高三").exists()  # last year's 高三 has left
    moved_up = last_spring.filter(school_class__grade__name="八年级").values("grade_name")
    assert {row["grade_name"] for row in moved_up} == {"七年级"}


def test_staff_fill_the_posts_of_the_seeds(school):
    assert 80 <= Staff.objects.filter(school=school).count() <= 100
    for role, count in [
        (Role.PRINCIPAL, 1),
        (Role.VICE_PRINCIPAL, 1),
        (Role.DIRECTOR, 1),
        (Role.COUNSELOR, 3),
        (Role.GRADE_LEADER, 6),
        (Role.CLASS_TEACHER, 24),
    ]:
        assert posts(role, school=school).count() == count, role
    counselors = Staff.objects.filter(user__role_assignments__role=Role.COUNSELOR)
    assert [c.part_time_counselor for c in counselors].count(True) == 1


def test_the_network_has_every_post_filled_but_one_class_and_one_dormitory(school):
    for school_class in SchoolClass.objects.filter(school=school):
        assert posts(Role.CLASS_TEACHER, school_class=school_class).count() == 1
    without_member = SchoolClass.objects.filter(school=school).exclude(
        pk__in=posts(Role.COMMITTEE_MEMBER).values("school_class")
    )
    assert [(c.grade.name, c.number) for c in without_member] == [("高二", 3)]
    for post in posts(Role.COMMITTEE_MEMBER).select_related("user__student_record"):
        assert post.user.student_record.school_class_id == post.school_class_id
    dorms = Dormitory.objects.filter(school=school)
    assert dorms.exclude(pk__in=posts(Role.DORM_LIAISON).values("dormitory")).count() == 1
    for post in posts(Role.DORM_LIAISON).select_related("user__student_record"):
        assert post.user.student_record.dormitory_id == post.dormitory_id
    network = network_for_school(school=school, semester=school.current_semester)
    assert network.levels == 4
    assert network.empty_posts == 2


def _node(html: str, marker: str, next_markers: tuple[str, ...]) -> str:
    """The markup from ``marker`` to the next node of the same kind (or the section's end)."""
    start = html.index(marker)
    ends = [html.find(m, start + 1) for m in (*next_markers, "</section>")]
    return html[start : min(end for end in ends if end != -1)]


def _holders(role: str, **unit) -> set[str]:
    return {post.user.display_name for post in posts(role, **unit).select_related("user")}


def test_the_network_page_shows_every_level_with_its_people_and_the_empty_posts(client, school):
    """Issue 4: the principal opens the demo school's network: the school, grade, class and
    dormitory levels, the people at each node, and the two empty posts marked where they are."""
    sign_in(client, User.objects.get(username="principal"))
    html = client.get(reverse("people:network")).content.decode()

    assert 'data-levels="4"' in html and 'data-empty-posts="2"' in html
    assert html.count('data-testid="empty-post"') == 2
    school_level = _node(html, 'data-testid="level-school"', ('data-testid="level-grade"',))
    leadership = WorkGroup.objects.get(school=school, kind=WorkGroup.Kind.LEADERSHIP)
    for member in leadership.members.select_related("user"):
        assert member.user.display_name in school_level, member.position
    for role in (Role.DIRECTOR, Role.COUNSELOR):
        assert _holders(role, school=school) and all(
            name in school_level for name in _holders(role, school=school)
        )
    empty_nodes = []
    for grade in Grade.objects.filter(school=school):
        node = _node(html, f'data-grade="{grade.pk}"', ('data-testid="grade"',))
        leaders = _holders(Role.GRADE_LEADER, grade=grade)
        assert leaders and all(name in node for name in leaders), grade.name
    for school_class in SchoolClass.objects.filter(school=school, graduated=False):
        node = _node(html, f'data-class="{school_class.pk}"', ('data-testid="class-node"',))
        teachers = _holders(Role.CLASS_TEACHER, school_class=school_class)
        members = _holders(Role.COMMITTEE_MEMBER, school_class=school_class)
        assert teachers and all(name in node for name in teachers)
        assert all(name in node for name in members)
        if 'data-testid="empty-post"' in node:
            empty_nodes.append(("class", school_class.grade.name, school_class.number))
    for dormitory in Dormitory.objects.filter(school=school):
        node = _node(html, f'data-dormitory="{dormitory.pk}"', ('data-testid="dorm-node"',))
        assert all(name in node for name in _holders(Role.DORM_LIAISON, dormitory=dormitory))
        if 'data-testid="empty-post"' in node:
            empty_nodes.append(("dormitory", dormitory.building, dormitory.room))
    unstaffed = Dormitory.objects.filter(school=school).exclude(
        pk__in=posts(Role.DORM_LIAISON).values("dormitory")
    )
    assert empty_nodes == [
        ("class", "高二", 3),
        *[("dormitory", d.building, d.room) for d in unstaffed],
    ]


def test_the_leadership_group_and_its_three_working_groups(school):
    leadership = WorkGroup.objects.get(school=school, kind=WorkGroup.Kind.LEADERSHIP)
    members = {m.user.username: m.position for m in leadership.members.select_related("user")}
    assert members["principal"] == "leader"
    assert members["vice_principal"] == "deputy"
    assert members["student_affairs"] == members["director"] == members["class_teacher"]
    assert list(members.values()).count("member") == 4  # two class teachers among them
    assert sorted(g.name for g in leadership.sub_groups.all()) == sorted(
        ["课程开发小组", "心理咨询与辅导小组", "宣传与培训小组"]
    )
    assert all(g.members.filter(position="leader").exists() for g in leadership.sub_groups.all())


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_one_issued_account_per_role_named_after_it(printed, role):
    user = User.objects.get(username=role)
    assert user.is_active
    assert not user.must_change_password
    assert user.check_password(DEMO_PASSWORD)
    assert user.has_role(role)
    assert role in printed


def test_the_demo_accounts_are_people_of_the_roster(school):
    accounts = {u.username: u for u in User.objects.filter(is_active=True)}
    the_class = first_class()
    student = Student.objects.get(user=accounts["student"])
    assert student.school_class == the_class
    assert student.guardian_links.filter(guardian__user=accounts["guardian"]).exists()
    assert posts(Role.CLASS_TEACHER, school_class=the_class).get().user == accounts["class_teacher"]
    assert Staff.objects.filter(user=accounts["class_teacher"]).exists()
    assert posts(Role.GRADE_LEADER, grade=the_class.grade).get().user == accounts["grade_leader"]
    member = Student.objects.get(user=accounts["committee_member"])
    assert member.school_class == the_class
    assert posts(Role.COMMITTEE_MEMBER, user=member.user, school_class=the_class).exists()
    liaison = Student.objects.get(user=accounts["dorm_liaison"])
    assert liaison.boarding
    assert posts(Role.DORM_LIAISON, user=liaison.user, dormitory=liaison.dormitory).exists()
    assert accounts["principal"].has_role(Role.PRINCIPAL, school_id=school.pk)
    assert accounts["admin"].role_map == {None: frozenset({"admin"})}
    assert accounts["district"].district_ids == {school.district_id}
    for role in ("director", "counselor"):
        device = TOTPDevice.objects.get(user=accounts[role])
        assert (device.name, device.key, device.confirmed) == ("demo", DEMO_TOTP_KEY_HEX, True)


def test_every_other_roster_account_waits_to_be_issued(school):
    assert User.objects.filter(is_active=True).count() == len(Role)
    waiting = User.objects.filter(is_active=False)
    assert waiting.count() > 3000  # students, guardians and staff
    assert not any(user.has_usable_password() for user in waiting.iterator())


def test_a_second_run_changes_nothing(printed):
    students = Student.objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert Student.objects.count() == students
    assert "counselor" in out.getvalue()


def test_the_api_lists_each_student_once_for_the_principal_and_one_class_for_its_teacher(
    client, school
):
    sign_in(client, User.objects.get(username="principal"))
    body = client.get("/api/people/students", {"limit": 1}).json()
    assert body["count"] == Student.objects.count()
    sign_in(client, User.objects.get(username="class_teacher"))
    body = client.get("/api/people/students", {"limit": 100}).json()
    assert {item["class_id"] for item in body["items"]} == {first_class().pk}
    assert body["count"] == first_class().students.count()
