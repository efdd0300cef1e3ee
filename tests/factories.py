from __future__ import annotations

import factory

from xinqiao.core.models import User
from xinqiao.core.roles import INSTALLATION_ROLES
from xinqiao.people.models import District, School
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
