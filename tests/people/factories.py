"""Factories for the school's organisation: semesters, grades, classes, dormitories, groups."""

from __future__ import annotations

import datetime

import factory

from tests.factories import SchoolFactory, UserFactory
from xinqiao.core.models import User
from xinqiao.people.models import (
    Dormitory,
    Grade,
    School,
    SchoolClass,
    Semester,
    WorkGroup,
    WorkGroupMember,
)
from xinqiao.people.services import role_assign

GRADE_NAMES = {7: "七年级", 8: "八年级", 9: "九年级", 10: "高一", 11: "高二", 12: "高三"}


class SemesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Semester

    school = factory.SubFactory(SchoolFactory)
    school_year = 2026
    term = 1
    starts_on = factory.LazyAttribute(lambda s: datetime.date(s.school_year, 9, 1))
    ends_on = factory.LazyAttribute(lambda s: datetime.date(s.school_year + 1, 1, 20))
    is_current = True


class GradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grade

    school = factory.SubFactory(SchoolFactory)
    level = factory.Sequence(lambda n: 7 + n % 6)
    name = factory.LazyAttribute(lambda g: GRADE_NAMES.get(g.level, f"{g.level}年级"))


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    grade = factory.SubFactory(GradeFactory)
    school = factory.LazyAttribute(lambda c: c.grade.school)
    number = factory.Sequence(lambda n: n + 1)
    cohort_year = factory.LazyAttribute(lambda c: 2026 - (c.grade.level - 7))


class DormitoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dormitory

    school = factory.SubFactory(SchoolFactory)
    building = "1号楼"
    room = factory.Sequence(lambda n: f"{101 + n}")


class WorkGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkGroup

    school = factory.SubFactory(SchoolFactory)
    name = "心理健康教育工作领导小组"
    kind = WorkGroup.Kind.LEADERSHIP


class WorkGroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkGroupMember

    group = factory.SubFactory(WorkGroupFactory)
    user = factory.SubFactory(UserFactory)
    position = WorkGroupMember.Position.MEMBER


def make_person(
    username: str,
    full_name: str,
    role: str,
    *,
    school: School,
    semester: Semester | None = None,
    **unit,
) -> User:
    """A person holding ``role`` at ``school`` (a post when a semester and a unit are given)."""
    user = UserFactory(username=username, full_name=full_name)
    role_assign(user=user, role=role, school=school, semester=semester, **unit)
    return user


def build_school(
    school: School,
    *,
    grades: int = 3,
    classes_per_grade: int = 8,
    dormitories: int = 0,
    semester: Semester | None = None,
) -> dict:
    """A school whose every post is filled: groups, center, grades, classes, dormitories.

    Returns the semester, grades, classes and dormitories created.
    """
    semester = semester or SemesterFactory(school=school)
    group = WorkGroupFactory(school=school)
    principal = make_person(f"{school.code}-p", "张校长", "principal", school=school)
    WorkGroupMemberFactory(group=group, user=principal, position="leader")
    make_person(f"{school.code}-d", "李主任", "director", school=school)
    made_grades, made_classes, made_dorms = [], [], []
    for g in range(grades):
        grade = GradeFactory(school=school, level=7 + g)
        made_grades.append(grade)
        make_person(
            f"{school.code}-g{g}",
            f"{grade.name}组长",
            "grade_leader",
            school=school,
            semester=semester,
            grade=grade,
        )
        for n in range(1, classes_per_grade + 1):
            school_class = SchoolClassFactory(school=school, grade=grade, number=n)
            made_classes.append(school_class)
            make_person(
                f"{school.code}-t{g}-{n}",
                f"班主任{g}-{n}",
                "class_teacher",
                school=school,
                semester=semester,
                school_class=school_class,
            )
            make_person(
                f"{school.code}-c{g}-{n}",
                f"心理委员{g}-{n}",
                "committee_member",
                school=school,
                semester=semester,
                school_class=school_class,
            )
    for d in range(dormitories):
        dorm = DormitoryFactory(school=school, building="1号楼", room=f"{101 + d}")
        made_dorms.append(dorm)
        make_person(
            f"{school.code}-l{d}",
            f"联络员{d}",
            "dorm_liaison",
            school=school,
            semester=semester,
            dormitory=dorm,
        )
    return {
        "semester": semester,
        "group": group,
        "principal": principal,
        "grades": made_grades,
        "classes": made_classes,
        "dormitories": made_dorms,
    }
