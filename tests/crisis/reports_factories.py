"""The cast's work network for the weekly reports: posts, a dormitory, a term around today."""

from __future__ import annotations

import datetime

from django.utils import timezone

from xinqiao.people.models import Dormitory, Grade, SchoolClass, Student
from xinqiao.people.services import role_assign


def network_for_reports(cast):
    """The cast's semester around today; ``committee_member`` reports for 七年级1班 (with a
    classmate 李小红), ``dorm_liaison`` for dormitory 1号楼 101 where 何小明 sleeps, the grade
    leader leads 七年级; another grade's class (八年级1班) has its own member and leader."""
    if hasattr(cast, "classmate") and Student.objects.filter(pk=cast.classmate.pk).exists():
        return cast  # built already (the access sweep's cast outlives each test's rows)
    today = timezone.localdate()
    semester = cast.semester
    semester.starts_on = today - datetime.timedelta(days=70)
    semester.ends_on = today + datetime.timedelta(days=70)
    semester.save()
    cast.classmate = Student.objects.create(
        school=cast.school,
        user=_user("classmate"),
        name="李小红",
        student_number="2026070102",
        school_class=cast.school_class,
    )
    member_record = Student.objects.create(
        school=cast.school,
        user=cast.committee_member,
        name="王委员",
        student_number="2026070103",
        school_class=cast.school_class,
    )
    cast.dormitory = Dormitory.objects.create(school=cast.school, building="1号楼", room="101")
    liaison_record = Student.objects.create(
        school=cast.school,
        user=cast.dorm_liaison,
        name="赵联络",
        student_number="2026070104",
        school_class=cast.school_class,
        dormitory=cast.dormitory,
        boarding=True,
    )
    Student.objects.filter(pk=cast.student_record.pk).update(dormitory=cast.dormitory)
    cast.student_record.refresh_from_db()
    post = {"school": cast.school, "semester": semester}
    role_assign(
        user=cast.committee_member, role="committee_member", school_class=cast.school_class, **post
    )
    role_assign(user=cast.dorm_liaison, role="dorm_liaison", dormitory=cast.dormitory, **post)
    role_assign(user=cast.grade_leader, role="grade_leader", grade=cast.grade, **post)
    other_grade = Grade.objects.create(school=cast.school, name="八年级", level=8)
    cast.other_class = SchoolClass.objects.create(
        school=cast.school, grade=other_grade, number=1, cohort_year=2025
    )
    cast.other_member = _user("other_member")
    role_assign(
        user=cast.other_member, role="committee_member", school_class=cast.other_class, **post
    )
    cast.other_leader = _user("other_leader")
    role_assign(user=cast.other_leader, role="grade_leader", grade=other_grade, **post)
    cast.member_record, cast.liaison_record = member_record, liaison_record
    return cast


def _user(username: str):
    from tests.factories import UserFactory

    return UserFactory(username=username)


def a_report(cast, *, worried=None, why="他最近总说活着没意思，还把东西都送人了", **kwargs):
    """This week's class report by the committee member, naming ``worried`` (the cast's student)."""
    from xinqiao.crisis.services_reports import report_submit

    network_for_reports(cast)
    student = worried or cast.student_record
    fields = {
        "actor": cast.committee_member,
        "kind": "class",
        "unit": cast.school_class,
        "mood": 2,
        "events": "期中考试成绩公布，大家情绪低落",
        "worries": [(student, why)] if why else [],
    }
    fields.update(kwargs)
    return report_submit(**fields)
