from __future__ import annotations

import datetime

import factory

from xinqiao.core.models import User
from xinqiao.core.roles import INSTALLATION_ROLES
from xinqiao.people.models import (
    District,
    Grade,
    Guardian,
    GuardianLink,
    School,
    SchoolClass,
    Semester,
    Student,
    StudentCircumstances,
)
from xinqiao.people.services import role_assign

TEST_PASSWORD = "correct-horse-battery-9"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    name = "测试区"
    code = "test-district"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试学校{n}")
    code = factory.Sequence(lambda n: f"school-{n}")
    kind = School.Kind.SECONDARY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(TEST_PASSWORD)


def make_user(role: str, *, school: School | None = None, username: str | None = None) -> User:
    user = UserFactory(username=username or role)
    if role in INSTALLATION_ROLES:
        district = school.district if (school is not None and role == "district") else None
        role_assign(user=user, role=role, district=district)
    else:
        role_assign(user=user, role=role, school=school)
    return user


def make_class_with_student(school: School, people: dict) -> dict:
    """A current semester, 七年级1班 taught by people["class_teacher"], with people["student"]."""
    semester = Semester.objects.create(
        school=school,
        school_year=2026,
        term=1,
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 20),
        is_current=True,
    )
    grade = Grade.objects.create(school=school, name="七年级", level=7)
    school_class = SchoolClass.objects.create(
        school=school, grade=grade, number=1, cohort_year=2026
    )
    role_assign(
        user=people["class_teacher"],
        role="class_teacher",
        school=school,
        semester=semester,
        school_class=school_class,
    )
    student = Student.objects.create(
        school=school,
        user=people["student"],
        name="何小明",
        student_number="2026070101",
        gender="M",
        school_class=school_class,
    )
    StudentCircumstances.objects.create(student=student, left_behind=True)
    guardian = Guardian.objects.create(
        school=school, user=people["guardian"], name="何妈妈", phone="13900000001"
    )
    GuardianLink.objects.create(guardian=guardian, student=student, relation="mother")
    return {
        "semester": semester,
        "grade": grade,
        "school_class": school_class,
        "student_record": student,
        "guardian_record": guardian,
    }
