"""Factories for the roster: grades, classes, students, guardians, staff, semesters.

People get their account as the roster import makes it (``people.services.user_for_roster``):
inactive and without a usable password, i.e. not yet issued.
"""

from __future__ import annotations

import datetime

import factory

from tests.factories import SchoolFactory
from xinqiao.core.roles import Role
from xinqiao.people.models import (
    Grade,
    Guardian,
    GuardianLink,
    SchoolClass,
    Semester,
    Staff,
    Student,
)
from xinqiao.people.services import role_assign, user_for_roster


class SemesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Semester
        django_get_or_create = ("school", "school_year", "term")

    school = factory.SubFactory(SchoolFactory)
    school_year = 2026
    term = Semester.Term.FIRST
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 1, 20)
    is_current = True


class GradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grade
        django_get_or_create = ("school", "level")

    school = factory.SubFactory(SchoolFactory)
    level = 7
    name = factory.LazyAttribute(lambda o: f"{'一二三四五六七八九'[o.level - 1]}年级")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    grade = factory.SubFactory(GradeFactory)
    school = factory.SelfAttribute("grade.school")
    number = factory.Sequence(lambda n: n + 1)
    cohort_year = factory.LazyAttribute(lambda o: 2026 + 7 - o.grade.level)


def _roster_user(prefix: str):
    """A not-yet-issued account named after the person, as the roster import makes it."""
    return factory.LazyAttributeSequence(
        lambda o, n: user_for_roster(username=f"{prefix}{n:04d}", full_name=o.name)
    )


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student
        skip_postgeneration_save = True

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    name = factory.Sequence(lambda n: f"学生{n:03d}")
    student_number = factory.Sequence(lambda n: f"2026{n:06d}")
    user = _roster_user("stu")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            role_assign(user=obj.user, role=Role.STUDENT, school=obj.school)


class GuardianFactory(factory.django.DjangoModelFactory):
    """A guardian; ``GuardianFactory(children=[student, ...])`` links them to their children."""

    class Meta:
        model = Guardian
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"家长{n:03d}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    user = _roster_user("gdn")

    @factory.post_generation
    def children(obj, create, extracted, **kwargs):
        if not create:
            return
        role_assign(user=obj.user, role=Role.GUARDIAN, school=obj.school)
        for student in extracted or []:
            GuardianLink.objects.create(
                guardian=obj, student=student, relation=GuardianLink.Relation.MOTHER
            )


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n:03d}")
    staff_number = factory.Sequence(lambda n: f"T{n:05d}")
    user = _roster_user("stf")
