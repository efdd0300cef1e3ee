"""What the people API answers with (django-ninja schemas).

Student schemas carry the roster's basic fields only: the family circumstances have their own
schema and endpoint, so that no list, search or export of students can ever include them.
"""

from __future__ import annotations

import datetime

from ninja import Schema


class SchoolOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    district_id: int | None


class HolidayOut(Schema):
    name: str
    starts_on: datetime.date
    ends_on: datetime.date


class SemesterOut(Schema):
    id: int
    school_id: int
    school_year: int
    term: int
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    is_current: bool
    week_count: int
    holidays: list[HolidayOut]

    @staticmethod
    def resolve_label(semester) -> str:
        return str(semester.label)

    @staticmethod
    def resolve_holidays(semester) -> list:
        return list(semester.holidays.all())


class GradeOut(Schema):
    id: int
    school_id: int
    name: str
    kind: str
    level: int
    is_final: bool


class ClassOut(Schema):
    id: int
    school_id: int
    grade_id: int
    grade_name: str
    number: int
    name: str
    cohort_year: int
    graduated: bool

    @staticmethod
    def resolve_grade_name(school_class) -> str:
        return school_class.grade.name

    @staticmethod
    def resolve_name(school_class) -> str:
        return str(school_class.name)


class ClassDetailOut(ClassOut):
    student_count: int  # enrolled students


class StudentOut(Schema):
    """A student as any list shows them: never the family circumstances."""

    id: int
    school_id: int
    student_number: str
    name: str
    gender: str
    class_id: int | None
    class_name: str | None
    status: str

    @staticmethod
    def resolve_class_id(student) -> int | None:
        return student.school_class_id

    @staticmethod
    def resolve_class_name(student) -> str | None:
        return str(student.school_class.name) if student.school_class_id else None


class CircumstancesOut(Schema):
    """The family circumstances of one student (003): the counseling side only."""

    student_id: int
    recorded: bool  # False: nothing is known, every flag is unset
    left_behind: bool = False
    single_parent: bool = False
    low_income: bool = False
    disability: bool = False
    migrant: bool = False
    orphan: bool = False
    flags: list[str] = []
    notes: str = ""
    updated_at: datetime.datetime | None = None


class StaffOut(Schema):
    id: int
    school_id: int
    staff_number: str
    name: str
    gender: str
    job_title: str
    part_time_counselor: bool
    is_active: bool


# --- the work network ------------------------------------------------------------------------------
class HolderOut(Schema):
    user_id: int
    name: str


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    leaders: list[HolderOut]
    deputies: list[HolderOut]
    members: list[HolderOut]
    sub_groups: list[GroupOut]

    @staticmethod
    def resolve_id(node) -> int:
        return node.group.pk

    @staticmethod
    def resolve_name(node) -> str:
        return node.group.name

    @staticmethod
    def resolve_kind(node) -> str:
        return node.group.kind


class ClassPostsOut(Schema):
    class_id: int
    name: str
    class_teachers: list[HolderOut]
    committee_members: list[HolderOut]

    @staticmethod
    def resolve_class_id(node) -> int:
        return node.school_class.pk

    @staticmethod
    def resolve_name(node) -> str:
        return str(node.school_class.name)


class GradePostsOut(Schema):
    grade_id: int
    name: str
    leaders: list[HolderOut]
    classes: list[ClassPostsOut]

    @staticmethod
    def resolve_grade_id(node) -> int:
        return node.grade.pk

    @staticmethod
    def resolve_name(node) -> str:
        return node.grade.name


class DormitoryPostsOut(Schema):
    dormitory_id: int
    building: str
    room: str
    liaisons: list[HolderOut]

    @staticmethod
    def resolve_dormitory_id(node) -> int:
        return node.dormitory.pk

    @staticmethod
    def resolve_building(node) -> str:
        return node.dormitory.building

    @staticmethod
    def resolve_room(node) -> str:
        return node.dormitory.room


class NetworkOut(Schema):
    """Who holds each post of the school's network (002) in a semester; empty lists are gaps."""

    school_id: int
    semester_id: int | None
    levels: int
    empty_posts: int
    leadership: GroupOut | None
    other_groups: list[GroupOut]
    directors: list[HolderOut]
    counselors: list[HolderOut]
    grades: list[GradePostsOut]
    dormitories: list[DormitoryPostsOut]

    @staticmethod
    def resolve_school_id(network) -> int:
        return network.school.pk

    @staticmethod
    def resolve_semester_id(network) -> int | None:
        return network.semester.pk if network.semester else None
