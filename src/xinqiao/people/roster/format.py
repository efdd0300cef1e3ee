"""The roster workbook's format: its sheets and columns, the words a cell may hold, and the
problems a cell may have (``RowError``, worded by ``MESSAGES``)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role
from xinqiao.people.models import Gender, GuardianLink

# Sheet names and headers are the file format (Chinese whatever the UI language): not translated.
CLASSES, STAFF, STUDENTS, GUARDIANS = "班级", "教职工", "学生", "家长"
COLUMNS: dict[str, tuple[str, ...]] = {
    CLASSES: tuple(["年级", "班号", "入学年份", "班主任工号"]),
    STAFF: tuple(["工号", "姓名", "性别", "手机", "邮箱", "职务", "角色"]),
    STUDENTS: tuple(
        [
            "学号",
            "姓名",
            "性别",
            "出生日期",
            "年级",
            "班号",
            "宿舍楼",
            "宿舍号",
            "住校",
            "留守儿童",
            "单亲家庭",
            "家庭经济困难",
            "残疾",
            "随迁子女",
            "孤儿或事实无人抚养",
        ]
    ),
    GUARDIANS: tuple(["学生学号", "家长姓名", "关系", "手机", "邮箱", "第一联系人"]),
}
# Columns a row cannot do without; the header must be there and the cell filled in.
REQUIRED: dict[str, frozenset[str]] = {
    CLASSES: frozenset({"年级", "班号", "入学年份"}),
    STAFF: frozenset({"工号", "姓名"}),
    STUDENTS: frozenset({"学号", "姓名", "性别", "年级", "班号"}),
    GUARDIANS: frozenset({"学生学号", "家长姓名", "关系", "手机"}),
}
# The six family circumstances of 003, as StudentCircumstances names them.
FLAG_COLUMNS = {
    "留守儿童": "left_behind",
    "单亲家庭": "single_parent",
    "家庭经济困难": "low_income",
    "残疾": "disability",
    "随迁子女": "migrant",
    "孤儿或事实无人抚养": "orphan",
}
# Grades a school without grades gets, in this order when every name is one of these.
KNOWN_GRADE_LEVELS = {
    **{f"{digit}年级": level for level, digit in enumerate("一二三四五六七八九", start=1)},
    "初一": 7,
    "初二": 8,
    "初三": 9,
    "高一": 10,
    "高二": 11,
    "高三": 12,
}
# The last grade of primary, junior and senior secondary school: where students graduate.
STAGE_ENDS = frozenset({"六年级", "九年级", "初三", "高三"})
RELATIONS = {
    GuardianLink.Relation.FATHER: ("父亲", "父", "爸爸", "father"),
    GuardianLink.Relation.MOTHER: ("母亲", "母", "妈妈", "mother"),
    GuardianLink.Relation.GRANDPARENT: tuple(
        ["祖辈", "祖父", "祖母", "爷爷", "奶奶", "外公", "外婆", "外祖父", "外祖母", "grandparent"]
    ),
    GuardianLink.Relation.OTHER: ("其他", "其它", "other"),
}
GENDERS = {
    Gender.MALE: ("男", "男性", "m", "male"),
    Gender.FEMALE: ("女", "女性", "f", "female"),
}
YES = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "有", "住校"})
NO = frozenset({"", "否", "n", "no", "0", "false", "×", "无", "走读"})
# Roles the staff sheet may give. Pupils' and families' roles come from their own sheets;
# installation roles (admin, district) are never a school's to give.
STAFF_ROLES = frozenset(Role) - {
    Role.ADMIN,
    Role.DISTRICT,
    Role.STUDENT,
    Role.GUARDIAN,
    Role.COMMITTEE_MEMBER,
    Role.DORM_LIAISON,
}
# The names DESIGN.md's table gives the roles, besides their labels in each UI language.
ROLE_ALIASES = {
    "系统管理员": Role.ADMIN,
    "领导小组组长": Role.PRINCIPAL,
    "副校长": Role.VICE_PRINCIPAL,
    "咨询室负责人": Role.DIRECTOR,
    "关爱室负责人": Role.DIRECTOR,
    "心理中心主任": Role.DIRECTOR,
    "专职心理教师": Role.COUNSELOR,
    "兼职心理教师": Role.COUNSELOR,
    "咨询师": Role.COUNSELOR,
    "心理教师": Role.COUNSELOR,
    "值班人员": Role.DUTY,
    "班主任": Role.CLASS_TEACHER,
    "年级组长": Role.GRADE_LEADER,
    "院系负责人": Role.GRADE_LEADER,
    "学生科": Role.STUDENT_AFFAIRS,
    "政教处": Role.STUDENT_AFFAIRS,
    "监督小组成员": Role.SUPERVISOR,
    "心理委员": Role.COMMITTEE_MEMBER,
    "宿舍心理联络员": Role.DORM_LIAISON,
    "学生": Role.STUDENT,
    "家长": Role.GUARDIAN,
    "监护人": Role.GUARDIAN,
    "区心理辅导中心": Role.DISTRICT,
}
PART_TIME_COUNSELOR = "兼职心理教师"
ROLE_SEPARATORS = re.compile(r"[,，、;；/\n]+")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
IDENTIFIER = re.compile(r"^[\w.@+-]+$")  # what an account name may hold (Django's username rule)
NAME_LENGTH, NUMBER_LENGTH = 50, 30
MAX_ROWS = 50_000  # per sheet: far above any school, low enough to refuse a runaway file

# --- problems ------------------------------------------------------------------------------------
MESSAGES = {
    "not_a_workbook": _("The file is not an Excel workbook (.xlsx)."),
    "missing_sheet": _("The workbook has no sheet called “%(sheet)s”."),
    "missing_column": _("The sheet has no column “%(column)s”."),
    "too_many_rows": _("The sheet has more than %(max)s rows."),
    "semester_before_current": _(
        "The school's current semester is %(current)s; a roster cannot be imported into an "
        "earlier one."
    ),
    "required": _("This cell must be filled in."),
    "too_long": _("At most %(max)s characters."),
    "bad_identifier": _("Use only letters, digits and . @ + - _ (no spaces)."),
    "bad_number": _("Write a whole number from %(min)s to %(max)s."),
    "bad_date": _("Not a date: write it like 2013-05-01."),
    "bad_gender": _("Write 男 or 女."),
    "bad_flag": _("Write 是 or 否, or leave the cell empty."),
    "bad_phone": _("Not a phone number: write an 11-digit mobile number."),
    "bad_landline": _(
        "Not a phone number: write a mobile number or a landline like 0571-88881234."
    ),
    "bad_email": _("Not an e-mail address."),
    "bad_relation": _("Write 父亲, 母亲, 祖辈 or 其他."),
    "unknown_role": _("Unknown role “%(value)s”."),
    "role_not_for_staff": _("“%(value)s” is not a role the staff sheet can give."),
    "duplicate": _("“%(value)s” is already in row %(first)s."),
    "duplicate_class": _("This class is already in row %(first)s."),
    "unknown_grade": _("The school has no grade called “%(value)s”."),
    "unknown_class": _(
        "There is no class %(number)s of %(grade)s in the 班级 sheet or at the school."
    ),
    "class_taken": _(
        "Class %(number)s of %(grade)s is the class that entered in %(year)s, which the 班级 sheet "
        "does not name."
    ),
    "unknown_staff": _(
        "No staff member has the number “%(value)s” in the 教职工 sheet or at the school."
    ),
    "unknown_student": _("No student has the number “%(value)s” in the 学生 sheet."),
    "no_guardian": _("The student has no guardian in the 家长 sheet."),
    "phone_other_name": _(
        "This phone belongs to %(name)s in row %(first)s: one phone, one guardian."
    ),
    "several_first_contacts": _("The student's first contact is already given in row %(first)s."),
    "username_other_school": _(
        "The account name “%(value)s” is taken by an account of another school."
    ),
    "username_taken": _("The account name “%(value)s” is taken by another account."),
    "username_in_file": _(
        "The account name “%(value)s” is also used in the sheet %(sheet)s, row %(row)s."
    ),
    "dormitory_incomplete": _("Give both the building and the room, or neither."),
    "departures_unconfirmed": _(
        "Importing would mark %(left)s of the school's %(enrolled)s enrolled students "
        "(%(percent)s%%) as having left and close %(classes_closed)s classes: confirm these "
        "departures to import the workbook."
    ),
    # Warnings: the import goes on, the admin is asked to look.
    "looks_like_formula": _(
        "“%(value)s” begins with = + - or @, which a spreadsheet program takes for a formula: "
        "check the name (exports write it as text)."
    ),
}


@dataclass(frozen=True)
class RowError:
    """One bad cell (or row, or file when ``row`` is None), with the reason's code and values."""

    sheet: str
    row: int | None
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params if self.params else str(MESSAGES[self.code])

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowError:
        return cls(**data)

    @property
    def cell(self) -> str:
        """Where, as the command line prints it: 学生 · 5 · 学号 (sheet, Excel row, column)."""
        parts = [self.sheet] if self.sheet else []
        if self.row is not None:
            parts.append(str(self.row))
        if self.column:
            parts.append(self.column)
        return " · ".join(parts)
