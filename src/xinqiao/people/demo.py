"""The minimal demo school: one account per role, named after the role's code."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from xinqiao.core.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX, DemoContext
from xinqiao.core.models import User
from xinqiao.core.roles import INSTALLATION_ROLES, Role
from xinqiao.people.models import District, School
from xinqiao.people.services import role_assign

DEMO_NAMES = {
    Role.ADMIN: "王建国",
    Role.PRINCIPAL: "李校长",
    Role.VICE_PRINCIPAL: "张副校长",
    Role.DIRECTOR: "陈主任",
    Role.COUNSELOR: "刘老师",
    Role.DUTY: "赵值班",
    Role.CLASS_TEACHER: "孙老师",
    Role.GRADE_LEADER: "周组长",
    Role.STUDENT_AFFAIRS: "吴老师",
    Role.SUPERVISOR: "郑督导",
    Role.COMMITTEE_MEMBER: "林小雨",
    Role.DORM_LIAISON: "黄晓东",
    Role.STUDENT: "何小明",
    Role.GUARDIAN: "何爸爸",
    Role.DISTRICT: "区中心马老师",
}


def build(context: DemoContext) -> None:
    district = District.objects.create(name="心桥示范区", code="demo-district")
    school = School.objects.create(
        district=district, name="心桥示范中学", code="demo", kind=School.Kind.SECONDARY
    )
    context.objects.update(district=district, school=school)
    for role in Role:
        user = User.objects.create_user(
            username=role.value, password=DEMO_PASSWORD, full_name=DEMO_NAMES[role]
        )
        if role in INSTALLATION_ROLES:
            role_assign(user=user, role=role, district=district if role == Role.DISTRICT else None)
        else:
            role_assign(user=user, role=role, school=school)
        if role in (Role.DIRECTOR, Role.COUNSELOR):
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        context.objects[f"user:{role.value}"] = user
