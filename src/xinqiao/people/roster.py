"""The roster import: a school's classes, staff, students and guardians for a semester, from Excel.

One workbook holds four sheets (班级, 教职工, 学生, 家长; ``roster_template`` writes an empty one).
``roster_validate`` reads every row and reports every bad cell (sheet, row as Excel numbers it,
column header, reason) and what the import would do; ``roster_import`` validates again inside
one transaction and writes everything or nothing. Importing the same file twice changes nothing:
people are found again by student number, staff number or guardian phone, classes by
(year of entry, class number).

A workbook with students is the whole roster of the semester: enrolled students it no longer
lists have graduated (their class was in the final grade and the school year moved on) or left,
and classes no student of it is in are closed. A workbook without students (e.g. new staff
only) changes no student and no class it does not name.

Thousands of people are written with bulk queries. ``bulk_create`` sends no signals, so the
change history rows of the accounts and roles it creates are written here in bulk too.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import openpyxl
from auditlog.cid import get_cid
from auditlog.context import disable_auditlog, set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import (
    Dormitory,
    Gender,
    Grade,
    Guardian,
    GuardianLink,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
    Staff,
    Student,
    StudentCircumstances,
    StudentPlacement,
)
from xinqiao.people.services import role_assign, role_withdraw, user_for_roster

# --- the workbook's format ---------------------------------------------------------------------
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
BATCH = 500

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


class RosterInvalid(Exception):
    """The workbook has bad rows: nothing was written."""

    def __init__(self, plan: RosterPlan):
        super().__init__(f"{len(plan.errors)} problem(s) in the roster")
        self.plan = plan


# --- semesters -----------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class SemesterChoice:
    """A semester named by its school year (the starting year) and term, as in ``2026-1``."""

    school_year: int
    term: int

    @classmethod
    def parse(cls, text: str) -> SemesterChoice:
        match = re.fullmatch(r"\s*(\d{4})\s*-\s*([12])\s*", text or "")
        if not match:
            raise ValueError(f"{text!r} is not a semester like 2026-1 (year, then term 1 or 2)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, semester: Semester) -> SemesterChoice:
        return cls(semester.school_year, semester.term)

    @classmethod
    def default_for(cls, school: School | None, today: datetime.date | None = None):
        """The school's current semester, else the one ``today`` falls in."""
        current = school.current_semester if school is not None else None
        if current is not None:
            return cls.of(current)
        today = today or timezone.localdate()
        if today.month >= 8:
            return cls(today.year, 1)
        if today.month == 1:
            return cls(today.year - 1, 1)
        return cls(today.year - 1, 2)

    @property
    def dates(self) -> tuple[datetime.date, datetime.date]:
        """The first term runs 9/1–1/20, the second 2/20–7/10 (the admin may adjust them later)."""
        if self.term == Semester.Term.FIRST:
            return datetime.date(self.school_year, 9, 1), datetime.date(self.school_year + 1, 1, 20)
        return datetime.date(self.school_year + 1, 2, 20), datetime.date(
            self.school_year + 1, 7, 10
        )

    @property
    def label(self) -> str:
        """As Semester.label words it (2026–2027 school year, first term)."""
        return _("%(start)s–%(end)s school year, %(term)s") % {
            "start": self.school_year,
            "end": self.school_year + 1,
            "term": Semester.Term(self.term).label,
        }

    def __str__(self) -> str:
        return f"{self.school_year}-{self.term}"


def semester_problem(school: School, choice: SemesterChoice) -> RowError | None:
    """An import may target the current semester or a later one, never an earlier one."""
    current = school.current_semester
    if current is not None and choice < SemesterChoice.of(current):
        return RowError(
            "", None, "", "semester_before_current", {"current": str(SemesterChoice.of(current))}
        )
    return None


# --- the template --------------------------------------------------------------------------------
INSTRUCTIONS = [
    _("How to fill in this workbook"),
    _(
        "Keep the four sheets and their headers; fill in one row per class, staff member, "
        "student and guardian. Columns with a yellow header must be filled in."
    ),
    _(
        "班级: the grade (e.g. 七年级), the class number, the year the class entered the school "
        "and the staff number of its class teacher. A class keeps its year of entry as it moves up."
    ),
    _(
        "教职工: staff number (their account name), name, gender, phone, e-mail, post, and roles "
        "separated by commas (e.g. 班主任, 心理教师)."
    ),
    _(
        "学生: student number (their account name), name, gender, date of birth (2013-05-01), "
        "grade and class number as in 班级, dormitory, and 是 or 否 for boarding and each family "
        "circumstance."
    ),
    _(
        "家长: the student's number, the guardian's name, relation (父亲, 母亲, 祖辈 or 其他), "
        "mobile phone (their account name), e-mail and 是 for the first contact. Every student "
        "needs at least one guardian; one guardian may be listed for several children."
    ),
    _(
        "The workbook is the whole roster of the semester: enrolled students it does not list are "
        "recorded as graduated or left. Nothing is imported while any row is wrong."
    ),
]
EXAMPLES = {
    CLASSES: ("七年级", 1, 2026, "T001"),
    STAFF: ("T001", "张老师", "女", "13800000001", "", "语文教师", "班主任"),
    STUDENTS: (
        "2026070101",
        "李明",
        "男",
        "2013-05-01",
        "七年级",
        1,
        "1号楼",
        "101",
        "是",
        "否",
        "否",
        "否",
        "否",
        "否",
        "否",
    ),
    GUARDIANS: ("2026070101", "李强", "父亲", "13900000001", "", "是"),
}


def roster_template() -> bytes:
    """An empty roster workbook: one sheet per kind, Chinese headers, lists for the choices."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = str(_("Instructions"))[:31]
    notes.column_dimensions["A"].width = 110
    lines = [str(line) for line in INSTRUCTIONS]
    lines.append("")
    lines.append(str(_("Examples (one row of each sheet):")))
    lines.extend(
        f"{name}: " + " | ".join(str(value) for value in EXAMPLES[name]) for name in COLUMNS
    )
    for number, line in enumerate(lines, start=1):
        notes.cell(row=number, column=1, value=line).font = Font(bold=number == 1)
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for sheet_name, headers in COLUMNS.items():
        sheet = workbook.create_sheet(sheet_name)
        for column, header in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=column, value=header)
            cell.font = bold
            if header in REQUIRED[sheet_name]:
                cell.fill = required_fill
            dimension = sheet.column_dimensions[cell.column_letter]
            dimension.width = max(10, len(header) * 2 + 4)
            if header != "出生日期":
                dimension.number_format = "@"  # numbers and phones stay text, leading 0 kept
        sheet.freeze_panes = "A2"
        _add_choices(sheet, headers)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_choices(sheet, headers: tuple[str, ...]) -> None:
    def choose(options: str, names: Iterable[str]) -> None:
        letters = [openpyxl.utils.get_column_letter(headers.index(n) + 1) for n in names]
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        for letter in letters:
            validation.add(f"{letter}2:{letter}{MAX_ROWS}")
        sheet.add_data_validation(validation)

    if "性别" in headers:
        choose("男,女", ["性别"])
    if "关系" in headers:
        choose("父亲,母亲,祖辈,其他", ["关系"])
    flags = [h for h in headers if h in FLAG_COLUMNS or h in ("住校", "第一联系人")]
    if flags:
        choose("是,否", flags)


# --- reading cells -------------------------------------------------------------------------------
class _Bad(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def _text(value: Any) -> str:
    """A cell as text: integral numbers without ".0", dates as 2013-05-01, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _header(value: Any) -> str:
    """A header cell without the marks people add: 学号*, 学号（必填）, ..."""
    return re.sub(r"[（(].*?[)）]|\*", "", _text(value)).strip()


def parse_phone(text: str, *, mobile_only: bool) -> str:
    cleaned = re.sub(r"[\s()（）]", "", text)
    for prefix in ("+86", "0086"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
    digits = cleaned.replace("-", "")
    if MOBILE.match(digits):
        return digits
    if not mobile_only and LANDLINE.match(cleaned):
        return cleaned
    raise _Bad("bad_phone" if mobile_only else "bad_landline")


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = _text(value)
        match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
        if not match and re.fullmatch(r"\d{8}", text):
            match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        if not match:
            raise _Bad("bad_date")
        try:
            day = datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise _Bad("bad_date") from None
    if not (datetime.date(1900, 1, 1) <= day <= timezone.localdate()):
        raise _Bad("bad_date")
    return day


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias.lower(): key for key, aliases in table.items() for alias in aliases}


_GENDERS = _lookup(GENDERS)
_RELATIONS = _lookup(RELATIONS)


def role_names() -> dict[str, str]:
    """Every name a role may be written with: code, DESIGN.md's names, labels in each language."""
    names = {role.value: role.value for role in Role}
    names.update(ROLE_ALIASES)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.update({str(role.label): role.value for role in Role})
    return {name.strip().lower(): role for name, role in names.items()}


class _Row:
    """One data row of a sheet: typed getters that record a problem instead of raising."""

    def __init__(self, sheet: str, number: int, values: dict[str, Any], errors: list[RowError]):
        self.sheet, self.number, self.values, self.errors = sheet, number, values, errors

    def _problem(self, column: str, code: str, **params: Any) -> None:
        self.errors.append(RowError(self.sheet, self.number, column, code, params))

    def text(self, column: str, *, max_length: int = NAME_LENGTH) -> str:
        value = _text(self.values.get(column))
        if not value and column in REQUIRED[self.sheet]:
            self._problem(column, "required")
        elif len(value) > max_length:
            self._problem(column, "too_long", max=max_length)
            return ""
        return value

    def identifier(self, column: str) -> str:
        value = self.text(column, max_length=NUMBER_LENGTH)
        if value and not IDENTIFIER.match(value):
            self._problem(column, "bad_identifier")
            return ""
        return value

    def parsed(self, column: str, parse: Callable[[Any], Any], default: Any = None) -> Any:
        raw = self.values.get(column)
        if _text(raw) == "":
            if column in REQUIRED[self.sheet]:
                self._problem(column, "required")
            return default
        try:
            return parse(raw)
        except _Bad as bad:
            self._problem(column, bad.code, **bad.params)
            return None

    def integer(self, column: str, low: int, high: int) -> int | None:
        def parse(raw: Any) -> int:
            match = re.fullmatch(r"(\d+)\s*[班年届]?", _text(raw))  # 3班, 2026年 read as written
            if not match or not (low <= int(match.group(1)) <= high):
                raise _Bad("bad_number", min=low, max=high)
            return int(match.group(1))

        return self.parsed(column, parse)

    def choice(self, column: str, table: dict[str, str], code: str) -> str | None:
        def parse(raw: Any) -> str:
            key = _text(raw).lower()
            if key not in table:
                raise _Bad(code)
            return table[key]

        return self.parsed(column, parse, default="")

    def flag(self, column: str) -> bool:
        def parse(raw: Any) -> bool:
            key = _text(raw).lower()
            if key in YES:
                return True
            if key in NO:
                return False
            raise _Bad("bad_flag")

        return bool(self.parsed(column, parse, default=False))

    def phone(self, column: str, *, mobile_only: bool) -> str:
        return (
            self.parsed(column, lambda raw: parse_phone(_text(raw), mobile_only=mobile_only)) or ""
        )

    def email(self, column: str) -> str:
        def parse(raw: Any) -> str:
            text = _text(raw)
            try:
                validate_email(text)
            except ValidationError:
                raise _Bad("bad_email") from None
            return text

        return self.parsed(column, parse, default="") or ""


# --- the rows of each sheet ------------------------------------------------------------------
@dataclass
class ClassRow:
    row: int
    grade_name: str
    number: int | None
    cohort_year: int | None
    teacher_number: str
    existing: SchoolClass | None = None

    @property
    def identity(self) -> tuple[int, int] | None:
        if self.number is None or self.cohort_year is None:
            return None
        return (self.cohort_year, self.number)


@dataclass
class StaffRow:
    row: int
    number: str
    name: str
    gender: str
    phone: str
    email: str
    job_title: str
    roles: list[str]
    part_time_counselor: bool
    existing: Staff | None = None


@dataclass
class StudentRow:
    row: int
    number: str
    name: str
    gender: str
    birth_date: datetime.date | None
    grade_name: str
    class_number: int | None
    building: str
    room: str
    boarding: bool
    flags: dict[str, bool]
    existing: Student | None = None
    promoted: bool = False


@dataclass
class GuardianRow:
    row: int
    student_number: str
    name: str
    relation: str
    phone: str
    email: str
    is_primary: bool


@dataclass
class GuardianPerson:
    """A guardian as the file gives them: one phone, perhaps several children's rows."""

    phone: str
    name: str
    email: str
    rows: list[GuardianRow]
    existing: Guardian | None = None


COUNT_KEYS = (
    "students_added",
    "students_updated",
    "students_promoted",
    "students_graduated",
    "students_left",
    "guardians_added",
    "guardians_updated",
    "staff_added",
    "staff_updated",
    "classes_added",
    "classes_updated",
    "classes_closed",
    "grades_added",
    "semester_added",
)
COUNT_LABELS = {
    "students_added": _("New students"),
    "students_updated": _("Students kept in their grade"),
    "students_promoted": _("Students moving up a grade"),
    "students_graduated": _("Students graduating"),
    "students_left": _("Students who left"),
    "guardians_added": _("New guardians"),
    "guardians_updated": _("Guardians already on the roster"),
    "staff_added": _("New staff"),
    "staff_updated": _("Staff already on the roster"),
    "classes_added": _("New classes"),
    "classes_updated": _("Classes already on the roster"),
    "classes_closed": _("Classes closed (no student left in them)"),
    "grades_added": _("New grades"),
    "semester_added": _("New semester"),
}


@dataclass
class RosterPlan:
    """What a workbook says and what importing it would do; ``errors`` empty means it may."""

    school: School
    semester: SemesterChoice
    errors: list[RowError] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    students: list[StudentRow] = field(default_factory=list)
    guardians: list[GuardianPerson] = field(default_factory=list)
    grades_to_create: list[tuple[str, int, bool]] = field(default_factory=list)
    # (grade name, class number) of a student → the class row naming it, or an existing class.
    student_classes: dict[tuple[str, int], ClassRow | SchoolClass] = field(default_factory=dict)
    classes_to_close: list[int] = field(default_factory=list)
    leavers: dict[int, str] = field(default_factory=dict)  # student pk → new status
    semester_exists: bool = False
    rows: int = 0
    # What the school already has, found while checking (used again when writing).
    existing_students: dict[str, Student] = field(default_factory=dict, repr=False)
    existing_staff_numbers: set[str] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def full_roster(self) -> bool:
        return bool(self.students)

    @property
    def counts(self) -> dict[str, int]:
        students_existing = [s for s in self.students if s.existing is not None]
        promoted = sum(1 for s in students_existing if s.promoted)
        statuses = list(self.leavers.values())
        return {
            "students_added": len(self.students) - len(students_existing),
            "students_updated": len(students_existing) - promoted,
            "students_promoted": promoted,
            "students_graduated": statuses.count(Student.Status.GRADUATED),
            "students_left": statuses.count(Student.Status.LEFT),
            "guardians_added": sum(1 for g in self.guardians if g.existing is None),
            "guardians_updated": sum(1 for g in self.guardians if g.existing is not None),
            "staff_added": sum(1 for s in self.staff if s.existing is None),
            "staff_updated": sum(1 for s in self.staff if s.existing is not None),
            "classes_added": sum(1 for c in self.classes if c.existing is None),
            "classes_updated": sum(1 for c in self.classes if c.existing is not None),
            "classes_closed": len(self.classes_to_close),
            "grades_added": len(self.grades_to_create),
            "semester_added": int(not self.semester_exists),
        }


# --- reading the workbook ------------------------------------------------------------------------
Source = str | Path | bytes | IO[bytes]


def _open(source: Source):
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return openpyxl.load_workbook(source, read_only=True, data_only=True)


def workbook_row_count(source: Source) -> int:
    """Rows of the four sheets below their headers (for choosing the task queue).

    Cheap when the file declares its size, as Excel and WPS do; counted otherwise.
    """
    try:
        workbook = _open(source)
    except Exception:  # not a workbook: the validation will say so
        return 0
    try:
        total = 0
        for name in COLUMNS:
            if name in workbook.sheetnames:
                sheet = workbook[name]
                rows = sheet.max_row
                if rows is None:
                    rows = sum(1 for _row in sheet.iter_rows(values_only=True))
                total += max(rows - 1, 0)
        return total
    finally:
        workbook.close()


def _read_sheets(source: Source, errors: list[RowError]) -> dict[str, list[_Row]] | None:
    try:
        workbook = _open(source)
    except Exception:  # openpyxl raises many kinds for a file that is not one
        errors.append(RowError("", None, "", "not_a_workbook"))
        return None
    try:
        return {name: _read_sheet(workbook, name, errors) for name in COLUMNS}
    finally:
        workbook.close()


def _read_sheet(workbook, name: str, errors: list[RowError]) -> list[_Row]:
    if name not in workbook.sheetnames:
        errors.append(RowError(name, None, "", "missing_sheet", {"sheet": name}))
        return []
    lines = workbook[name].iter_rows(min_row=1, values_only=True)
    header = next(lines, ())
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        positions.setdefault(_header(value), index)
    missing = [c for c in COLUMNS[name] if c in REQUIRED[name] and c not in positions]
    for column in missing:
        errors.append(RowError(name, 1, column, "missing_column", {"column": column}))
    if missing:
        return []
    known = {c: positions[c] for c in COLUMNS[name] if c in positions}
    rows = []
    for number, line in enumerate(lines, start=2):
        if not any(_text(value) for value in line):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(RowError(name, number, "", "too_many_rows", {"max": MAX_ROWS}))
            break
        values = {c: line[i] if i < len(line) else None for c, i in known.items()}
        rows.append(_Row(name, number, values, errors))
    return rows


def _parse_classes(rows: list[_Row]) -> list[ClassRow]:
    year = timezone.localdate().year
    return [
        ClassRow(
            row=r.number,
            grade_name=r.text("年级"),
            number=r.integer("班号", 1, 99),
            cohort_year=r.integer("入学年份", 1990, year + 1),
            teacher_number=r.identifier("班主任工号"),
        )
        for r in rows
    ]


def _parse_staff(rows: list[_Row], names: dict[str, str]) -> list[StaffRow]:
    parsed = []
    for r in rows:
        roles, part_time = [], False
        for written in ROLE_SEPARATORS.split(_text(r.values.get("角色"))):
            written = written.strip()
            if not written:
                continue
            role = names.get(written.lower())
            if role is None:
                r._problem("角色", "unknown_role", value=written)
            elif role not in STAFF_ROLES:
                r._problem("角色", "role_not_for_staff", value=written)
            elif role not in roles:
                roles.append(role)
            part_time = part_time or written == PART_TIME_COUNSELOR
        parsed.append(
            StaffRow(
                row=r.number,
                number=r.identifier("工号"),
                name=r.text("姓名"),
                gender=r.choice("性别", _GENDERS, "bad_gender") or "",
                phone=r.phone("手机", mobile_only=False),
                email=r.email("邮箱"),
                job_title=r.text("职务"),
                roles=roles,
                part_time_counselor=part_time,
            )
        )
    return parsed


def _parse_students(rows: list[_Row]) -> list[StudentRow]:
    parsed = []
    for r in rows:
        building, room = r.text("宿舍楼"), r.text("宿舍号", max_length=20)
        if bool(building) != bool(room):
            r._problem("宿舍号" if building else "宿舍楼", "dormitory_incomplete")
            building = room = ""
        parsed.append(
            StudentRow(
                row=r.number,
                number=r.identifier("学号"),
                name=r.text("姓名"),
                gender=r.choice("性别", _GENDERS, "bad_gender") or "",
                birth_date=r.parsed("出生日期", parse_date),
                grade_name=r.text("年级"),
                class_number=r.integer("班号", 1, 99),
                building=building,
                room=room,
                boarding=r.flag("住校"),
                flags={name: r.flag(column) for column, name in FLAG_COLUMNS.items()},
            )
        )
    return parsed


def _parse_guardians(rows: list[_Row]) -> list[GuardianRow]:
    return [
        GuardianRow(
            row=r.number,
            student_number=r.identifier("学生学号"),
            name=r.text("家长姓名"),
            relation=r.choice("关系", _RELATIONS, "bad_relation") or "",
            phone=r.phone("手机", mobile_only=True),
            email=r.email("邮箱"),
            is_primary=r.flag("第一联系人"),
        )
        for r in rows
    ]


# --- validation ----------------------------------------------------------------------------------
def roster_validate(*, school: School, semester: SemesterChoice, source: Source) -> RosterPlan:
    """Read the workbook and check every row against itself and the school; write nothing."""
    plan = RosterPlan(school=school, semester=semester)
    errors = plan.errors
    problem = semester_problem(school, semester)
    if problem is not None:
        errors.append(problem)
    sheets = _read_sheets(source, errors)
    if sheets is None:
        return plan
    plan.rows = sum(len(rows) for rows in sheets.values())
    plan.classes = _parse_classes(sheets[CLASSES])
    plan.staff = _parse_staff(sheets[STAFF], role_names())
    plan.students = _parse_students(sheets[STUDENTS])
    guardian_rows = _parse_guardians(sheets[GUARDIANS])
    plan.semester_exists = Semester.objects.filter(
        school=school, school_year=semester.school_year, term=semester.term
    ).exists()

    grades = _check_grades(plan)
    _check_staff(plan)
    _check_classes(plan)
    _check_students(plan, grades)
    _check_guardians(plan, guardian_rows)
    _check_usernames(plan)
    _plan_leavers(plan)
    errors.sort(
        key=lambda e: (
            list(COLUMNS).index(e.sheet) if e.sheet in COLUMNS else -1,
            e.row or 0,
            _column_index(e),
        )
    )
    return plan


def _column_index(error: RowError) -> int:
    columns = COLUMNS.get(error.sheet, ())
    return columns.index(error.column) if error.column in columns else -1


def _duplicates(items: Iterable[tuple[Any, int]], sheet: str, column: str) -> list[RowError]:
    first: dict[Any, int] = {}
    found = []
    for key, row in items:
        if key in (None, ""):
            continue
        if key in first:
            found.append(
                RowError(sheet, row, column, "duplicate", {"value": str(key), "first": first[key]})
            )
        else:
            first[key] = row
    return found


def _check_grades(plan: RosterPlan) -> dict[str, tuple[int, bool]]:
    """{grade name: (level, is_final)} of the school, or of the grades the import creates."""
    existing = {g.name: (g.level, g.is_final) for g in Grade.objects.filter(school=plan.school)}
    if existing:
        grades = existing
    else:
        names = list(dict.fromkeys(c.grade_name for c in plan.classes if c.grade_name))
        known = bool(names) and all(n in KNOWN_GRADE_LEVELS for n in names)
        if known:
            levels = {n: KNOWN_GRADE_LEVELS[n] for n in names}
        else:
            levels = {n: level for level, n in enumerate(names, start=1)}
        top = max(levels.values(), default=0)
        # A school that does not yet have its stage's last grade (七、八年级 only) graduates
        # nobody until it has: better "left" for a while than a wrong "graduated".
        grades = {
            n: (level, level == top and (not known or n in STAGE_ENDS))
            for n, level in levels.items()
        }
        plan.grades_to_create = sorted(
            ((n, level, final) for n, (level, final) in grades.items()), key=lambda g: g[1]
        )
    for c in plan.classes:
        if c.grade_name and c.grade_name not in grades:
            plan.errors.append(
                RowError(CLASSES, c.row, "年级", "unknown_grade", {"value": c.grade_name})
            )
            c.grade_name = ""
    for s in plan.students:
        if s.grade_name and s.grade_name not in grades:
            plan.errors.append(
                RowError(STUDENTS, s.row, "年级", "unknown_grade", {"value": s.grade_name})
            )
            s.grade_name = ""
    return grades


def _check_staff(plan: RosterPlan) -> None:
    plan.errors.extend(_duplicates(((s.number, s.row) for s in plan.staff), STAFF, "工号"))
    existing = {
        s.staff_number: s for s in Staff.objects.filter(school=plan.school).select_related("user")
    }
    for row in plan.staff:
        row.existing = existing.get(row.number)
    plan.existing_staff_numbers = set(existing)


def _check_classes(plan: RosterPlan) -> None:
    errors = plan.errors
    by_identity_row: dict[tuple[int, int], int] = {}
    by_place: dict[tuple[str, int], int] = {}
    for c in plan.classes:
        if c.identity in by_identity_row:
            errors.append(
                RowError(
                    CLASSES,
                    c.row,
                    "入学年份",
                    "duplicate_class",
                    {"first": by_identity_row[c.identity]},
                )
            )
        elif c.identity:
            by_identity_row[c.identity] = c.row
        if c.grade_name and c.number is not None:
            place = (c.grade_name, c.number)
            if place in by_place:
                errors.append(
                    RowError(CLASSES, c.row, "班号", "duplicate_class", {"first": by_place[place]})
                )
            else:
                by_place[place] = c.row
                plan.student_classes[place] = c
    file_staff = {s.number for s in plan.staff if s.number}
    known_staff = file_staff | plan.existing_staff_numbers
    for c in plan.classes:
        if c.teacher_number and c.teacher_number not in known_staff:
            errors.append(
                RowError(CLASSES, c.row, "班主任工号", "unknown_staff", {"value": c.teacher_number})
            )

    existing = list(SchoolClass.objects.filter(school=plan.school).select_related("grade"))
    by_identity = {(c.cohort_year, c.number): c for c in existing}
    for c in plan.classes:
        c.existing = by_identity.get(c.identity) if c.identity else None
    named = {c.identity for c in plan.classes if c.identity}
    # Active classes the sheet does not name keep their grade; students may still name them.
    others = {
        (c.grade.name, c.number): c
        for c in existing
        if not c.graduated and (c.cohort_year, c.number) not in named
    }
    for s in plan.students:
        place = (s.grade_name, s.class_number)
        if s.grade_name and s.class_number is not None and place not in plan.student_classes:
            if place in others:
                plan.student_classes[place] = others[place]
            else:
                errors.append(
                    RowError(
                        STUDENTS,
                        s.row,
                        "班号",
                        "unknown_class",
                        {"grade": s.grade_name, "number": s.class_number},
                    )
                )
    kept = {c.pk for c in plan.student_classes.values() if isinstance(c, SchoolClass)}
    if plan.full_roster:
        plan.classes_to_close = [c.pk for c in others.values() if c.pk not in kept]
    closing = set(plan.classes_to_close)
    for c in plan.classes:
        holder = others.get((c.grade_name, c.number)) if c.number is not None else None
        if holder is not None and holder.pk not in closing:
            errors.append(
                RowError(
                    CLASSES,
                    c.row,
                    "入学年份",
                    "class_taken",
                    {"grade": c.grade_name, "number": c.number, "year": holder.cohort_year},
                )
            )


def _check_students(plan: RosterPlan, grades: dict[str, tuple[int, bool]]) -> None:
    plan.errors.extend(_duplicates(((s.number, s.row) for s in plan.students), STUDENTS, "学号"))
    existing = {
        s.student_number: s
        for s in Student.objects.filter(school=plan.school).select_related(
            "user", "school_class__grade"
        )
    }
    plan.existing_students = existing
    for row in plan.students:
        row.existing = existing.get(row.number)
        if row.existing is None or not row.grade_name:
            continue
        before = row.existing.school_class
        row.promoted = (
            row.existing.status == Student.Status.ENROLLED
            and before is not None
            and grades[row.grade_name][0] > before.grade.level
        )


def _check_guardians(plan: RosterPlan, rows: list[GuardianRow]) -> None:
    errors = plan.errors
    students = {s.number for s in plan.students if s.number}
    pairs: dict[tuple[str, str], int] = {}
    first_contact: dict[str, int] = {}
    people: dict[str, GuardianPerson] = {}
    guarded: set[str] = set()
    for g in rows:
        if g.student_number and g.student_number not in students:
            errors.append(
                RowError(
                    GUARDIANS, g.row, "学生学号", "unknown_student", {"value": g.student_number}
                )
            )
            continue
        if g.student_number:
            guarded.add(g.student_number)
        if g.student_number and g.phone:
            pair = (g.student_number, g.phone)
            if pair in pairs:
                errors.append(
                    RowError(
                        GUARDIANS,
                        g.row,
                        "手机",
                        "duplicate",
                        {"value": g.phone, "first": pairs[pair]},
                    )
                )
                continue
            pairs[pair] = g.row
        if g.is_primary and g.student_number:
            if g.student_number in first_contact:
                errors.append(
                    RowError(
                        GUARDIANS,
                        g.row,
                        "第一联系人",
                        "several_first_contacts",
                        {"first": first_contact[g.student_number]},
                    )
                )
            else:
                first_contact[g.student_number] = g.row
        if not g.phone:
            continue
        person = people.get(g.phone)
        if person is None:
            people[g.phone] = GuardianPerson(phone=g.phone, name=g.name, email=g.email, rows=[g])
        elif g.name and person.name and g.name != person.name:
            errors.append(
                RowError(
                    GUARDIANS,
                    g.row,
                    "家长姓名",
                    "phone_other_name",
                    {"name": person.name, "first": person.rows[0].row},
                )
            )
        else:
            person.rows.append(g)
            person.email = person.email or g.email
    for s in plan.students:
        if s.number and s.number not in guarded:
            errors.append(RowError(STUDENTS, s.row, "学号", "no_guardian"))
    existing = {
        g.phone: g for g in Guardian.objects.filter(school=plan.school).select_related("user")
    }
    for person in people.values():
        person.existing = existing.get(person.phone)
    plan.guardians = list(people.values())


def _check_usernames(plan: RosterPlan) -> None:
    """New people's account names must be free, in the file and in the whole installation."""
    wanted: dict[str, tuple[str, int, str]] = {}  # username → (sheet, row, column) of its first use
    clashes = []
    new_people = [
        *((s.number, STUDENTS, s.row, "学号") for s in plan.students if s.existing is None),
        *((s.number, STAFF, s.row, "工号") for s in plan.staff if s.existing is None),
        *(
            (g.phone, GUARDIANS, g.rows[0].row, "手机")
            for g in plan.guardians
            if g.existing is None
        ),
    ]
    for username, sheet, row, column in new_people:
        if not username:
            continue
        if username in wanted:
            first_sheet, first_row, _column = wanted[username]
            if first_sheet != sheet:  # same sheet twice: already reported as a duplicate
                clashes.append(
                    RowError(
                        sheet,
                        row,
                        column,
                        "username_in_file",
                        {"value": username, "sheet": first_sheet, "row": first_row},
                    )
                )
        else:
            wanted[username] = (sheet, row, column)
    plan.errors.extend(clashes)
    taken: dict[str, int] = {}
    names = list(wanted)
    for chunk in _chunks(names):
        taken.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
    if not taken:
        return
    elsewhere = _users_of_other_schools(set(taken.values()), plan.school)
    for username, user_id in taken.items():
        sheet, row, column = wanted[username]
        code = "username_other_school" if user_id in elsewhere else "username_taken"
        plan.errors.append(RowError(sheet, row, column, code, {"value": username}))


def _users_of_other_schools(user_ids: set[int], school: School) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(sorted(user_ids)):
        found.update(
            RoleAssignment.objects.filter(user_id__in=chunk, school__isnull=False)
            .exclude(school=school)
            .values_list("user_id", flat=True)
        )
        for model in (Student, Staff, Guardian):
            found.update(
                model.objects.filter(user_id__in=chunk)
                .exclude(school=school)
                .values_list("user_id", flat=True)
            )
    return found


def _plan_leavers(plan: RosterPlan) -> None:
    """Enrolled students the roster no longer lists: graduates of the final grade or leavers.

    Students graduate only when the school year moves on; in the middle of a year a student
    who is no longer listed has left, whatever their grade.
    """
    if not plan.full_roster:
        return
    current = plan.school.current_semester
    new_year = current is None or plan.semester.school_year > current.school_year
    listed = {s.number for s in plan.students}
    for number, student in plan.existing_students.items():
        if number in listed or student.status != Student.Status.ENROLLED:
            continue
        final = student.school_class is not None and student.school_class.grade.is_final
        plan.leavers[student.pk] = (
            Student.Status.GRADUATED if final and new_year else Student.Status.LEFT
        )


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the import ----------------------------------------------------------------------------------
Progress = Callable[[int, int], None]
STEPS = 9


@dataclass
class RosterResult:
    semester: Semester
    counts: dict[str, int]


def roster_import(
    *,
    actor: User | None,
    school: School,
    semester: SemesterChoice,
    source: Source,
    progress: Progress | None = None,
) -> RosterResult:
    """Validate and write the workbook in one transaction; raise RosterInvalid if a row is bad.

    The validation runs again inside the transaction so that it sees exactly what is written
    over (SQLite takes the write lock at the start; PostgreSQL's unique constraints back it up).
    """
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        data = Path(source).read_bytes()
    else:
        data = source.read()
    step = _stepper(progress)
    with set_actor(actor), transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        plan = roster_validate(school=school, semester=semester, source=data)
        step()
        if not plan.ok:
            raise RosterInvalid(plan)
        writer = _Writer(plan, actor, step)
        writer.run()
    return RosterResult(semester=writer.semester, counts=plan.counts)


def _stepper(progress: Progress | None) -> Callable[[], None]:
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, STEPS)

    return step


class _Writer:
    """The writes of one import, in the order the constraints need; every step in bulk."""

    def __init__(self, plan: RosterPlan, actor: User | None, step: Callable[[], None]):
        self.plan, self.school, self.actor, self.step = plan, plan.school, actor, step
        self.semester: Semester
        self.grades: dict[str, Grade] = {}
        self.staff: dict[str, Staff] = {}
        self.classes: dict[tuple[str, int], SchoolClass] = {}
        self.students: dict[str, Student] = {}

    def run(self) -> None:
        for write in (
            self.write_semester_and_grades,
            self.write_staff,
            self.write_classes,
            self.write_students,
            self.write_circumstances,
            self.write_guardians,
            self.write_roles,
            self.write_placements_and_leavers,
        ):
            write()
            self.step()

    # -- semester, grades
    def write_semester_and_grades(self) -> None:
        choice = self.plan.semester
        semester = Semester.objects.filter(
            school=self.school, school_year=choice.school_year, term=choice.term
        ).first()
        if semester is None:
            starts_on, ends_on = choice.dates
            semester = Semester.objects.create(
                school=self.school,
                school_year=choice.school_year,
                term=choice.term,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        if not semester.is_current:
            # The partial unique constraint allows one current semester: clear it first.
            Semester.objects.filter(school=self.school, is_current=True).update(is_current=False)
            semester.is_current = True
            semester.save(update_fields=["is_current"])
        self.semester = semester
        Grade.objects.bulk_create(
            [
                Grade(school=self.school, name=name, level=level, is_final=final)
                for name, level, final in self.plan.grades_to_create
            ]
        )
        self.grades = {g.name: g for g in Grade.objects.filter(school=self.school)}

    # -- staff
    def write_staff(self) -> None:
        rows = self.plan.staff
        new = [r for r in rows if r.existing is None]
        users = _roster_users([(r.number, r.name) for r in new], self.actor)
        Staff.objects.bulk_create(
            [
                Staff(
                    school=self.school,
                    user=users[r.number],
                    staff_number=r.number,
                    **_staff_fields(r),
                )
                for r in new
            ],
            batch_size=BATCH,
        )
        changed = []
        for r in rows:
            if r.existing is not None and _assign(r.existing, _staff_fields(r)):
                changed.append(r.existing)
        Staff.objects.bulk_update(changed, STAFF_FIELDS, batch_size=BATCH)
        _sync_full_names([(r.existing.user, r.name) for r in rows if r.existing is not None])
        self.staff = {
            s.staff_number: s
            for s in Staff.objects.filter(school=self.school).select_related("user")
        }

    # -- classes
    def write_classes(self) -> None:
        plan = self.plan
        SchoolClass.objects.filter(pk__in=plan.classes_to_close).update(graduated=True)
        moving = []
        for c in plan.classes:
            grade = self.grades[c.grade_name]
            if c.existing is not None and (c.existing.grade_id != grade.pk or c.existing.graduated):
                moving.append((c.existing, grade))
        # Out of the "one class number per grade" constraint while the classes swap places,
        # then into their new grades, the highest first.
        SchoolClass.objects.filter(pk__in=[c.pk for c, _g in moving]).update(graduated=True)
        for school_class, grade in sorted(moving, key=lambda m: -m[1].level):
            school_class.grade, school_class.graduated = grade, False
            school_class.save(update_fields=["grade", "graduated"])
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(
                    school=self.school,
                    grade=self.grades[c.grade_name],
                    number=c.number,
                    cohort_year=c.cohort_year,
                )
                for c in plan.classes
                if c.existing is None
            ]
        )
        by_identity = {
            (c.cohort_year, c.number): c
            for c in SchoolClass.objects.filter(school=self.school).select_related("grade")
        }
        for place, target in plan.student_classes.items():
            key = (target.cohort_year, target.number)
            self.classes[place] = by_identity[key]
        self.classes_by_identity = by_identity

    # -- students and their dormitories
    def write_students(self) -> None:
        plan = self.plan
        dorms = {(d.building, d.room): d for d in Dormitory.objects.filter(school=self.school)}
        wanted = {(s.building, s.room) for s in plan.students if s.building}
        Dormitory.objects.bulk_create(
            [
                Dormitory(school=self.school, building=b, room=r)
                for b, r in sorted(wanted - set(dorms))
            ]
        )
        if wanted - set(dorms):
            dorms = {(d.building, d.room): d for d in Dormitory.objects.filter(school=self.school)}
        self.dorms = dorms

        def fields(row: StudentRow) -> dict[str, Any]:
            dorm = dorms.get((row.building, row.room)) if row.building else None
            return {
                "name": row.name,
                "gender": row.gender,
                "birth_date": row.birth_date,
                "school_class_id": self.classes[(row.grade_name, row.class_number)].pk,
                "dormitory_id": dorm.pk if dorm else None,
                "boarding": row.boarding,
                "status": Student.Status.ENROLLED,
            }

        new = [s for s in plan.students if s.existing is None]
        users = _roster_users([(s.number, s.name) for s in new], self.actor)
        Student.objects.bulk_create(
            [
                Student(
                    school=self.school, user=users[s.number], student_number=s.number, **fields(s)
                )
                for s in new
            ],
            batch_size=BATCH,
        )
        changed = [
            s.existing
            for s in plan.students
            if s.existing is not None and _assign(s.existing, fields(s))
        ]
        Student.objects.bulk_update(
            changed,
            ["name", "gender", "birth_date", "school_class", "dormitory", "boarding", "status"],
            batch_size=BATCH,
        )
        _sync_full_names(
            [(s.existing.user, s.name) for s in plan.students if s.existing is not None]
        )
        listed = {s.number for s in plan.students}
        self.students = {
            s.student_number: s
            for s in Student.objects.filter(school=self.school).only(
                "pk", "user_id", "student_number"
            )
            if s.student_number in listed
        }

    def write_circumstances(self) -> None:
        """The six flags; a row exists only for a student with a flag set (or had one before)."""
        by_student = {
            s.pk: s for s in StudentCircumstances.objects.filter(student__school=self.school)
        }
        new, changed = [], []
        now = timezone.now()
        for row in self.plan.students:
            pk = self.students[row.number].pk
            existing = by_student.get(pk)
            if existing is None:
                if any(row.flags.values()):
                    new.append(StudentCircumstances(student_id=pk, **row.flags))
            elif _assign(existing, row.flags):
                existing.updated_at = now
                changed.append(existing)
        StudentCircumstances.objects.bulk_create(new, batch_size=BATCH)
        StudentCircumstances.objects.bulk_update(
            changed, [*StudentCircumstances.FLAG_FIELDS, "updated_at"], batch_size=BATCH
        )

    # -- guardians and their links to the students
    def write_guardians(self) -> None:
        plan = self.plan

        def fields(person: GuardianPerson) -> dict[str, Any]:
            relations = {r.relation for r in person.rows}
            gender = (
                Gender.MALE
                if relations == {GuardianLink.Relation.FATHER}
                else Gender.FEMALE
                if relations == {GuardianLink.Relation.MOTHER}
                else (person.existing.gender if person.existing else "")
            )
            return {"name": person.name, "email": person.email, "gender": gender}

        new = [g for g in plan.guardians if g.existing is None]
        users = _roster_users([(g.phone, g.name) for g in new], self.actor)
        Guardian.objects.bulk_create(
            [
                Guardian(school=self.school, user=users[g.phone], phone=g.phone, **fields(g))
                for g in new
            ],
            batch_size=BATCH,
        )
        changed = [
            g.existing
            for g in plan.guardians
            if g.existing is not None and _assign(g.existing, fields(g))
        ]
        Guardian.objects.bulk_update(changed, ["name", "email", "gender"], batch_size=BATCH)
        _sync_full_names(
            [(g.existing.user, g.name) for g in plan.guardians if g.existing is not None]
        )
        phones = {g.phone for g in plan.guardians}
        self.guardians = {
            g.phone: g
            for g in Guardian.objects.filter(school=self.school).only("pk", "user_id", "phone")
            if g.phone in phones
        }

        wanted: dict[tuple[int, int], tuple[str, bool]] = {}
        primary_given = {r.student_number for g in plan.guardians for r in g.rows if r.is_primary}
        first_row: dict[str, int] = {}
        for person in plan.guardians:
            for r in person.rows:
                first_row[r.student_number] = min(first_row.get(r.student_number, r.row), r.row)
        for person in plan.guardians:
            for r in person.rows:
                primary = r.is_primary or (
                    r.student_number not in primary_given and first_row[r.student_number] == r.row
                )
                key = (self.guardians[person.phone].pk, self.students[r.student_number].pk)
                wanted[key] = (r.relation, primary)
        student_ids = [s.pk for s in self.students.values()]
        existing: dict[tuple[int, int], GuardianLink] = {}
        for chunk in _chunks(student_ids):
            for link in GuardianLink.objects.filter(student_id__in=chunk):
                existing[(link.guardian_id, link.student_id)] = link
        stale = [link.pk for key, link in existing.items() if key not in wanted]
        for chunk in _chunks(stale):
            GuardianLink.objects.filter(pk__in=chunk).delete()
        new_links, changed_links = [], []
        for (guardian_id, student_id), (relation, primary) in wanted.items():
            link = existing.get((guardian_id, student_id))
            if link is None:
                new_links.append(
                    GuardianLink(
                        guardian_id=guardian_id,
                        student_id=student_id,
                        relation=relation,
                        is_primary=primary,
                    )
                )
            elif _assign(link, {"relation": relation, "is_primary": primary}):
                changed_links.append(link)
        GuardianLink.objects.bulk_create(new_links, batch_size=BATCH)
        GuardianLink.objects.bulk_update(
            changed_links, ["relation", "is_primary"], batch_size=BATCH
        )

    # -- roles
    def write_roles(self) -> None:
        """Students' and guardians' roles in bulk; staff roles and class posts by role_assign."""
        plan = self.plan
        standing = [
            *((s.user_id, Role.STUDENT) for s in self.students.values()),
            *((g.user_id, Role.GUARDIAN) for g in self.guardians.values()),
        ]
        _roles_assign_in_bulk(school=self.school, wanted=standing, actor=self.actor)

        teachers = {c.teacher_number for c in plan.classes if c.teacher_number}
        for row in plan.staff:
            staff = self.staff[row.number]
            for role in row.roles:
                if role == Role.CLASS_TEACHER and row.number in teachers:
                    continue  # the post below says it, with the class and the semester
                role_assign(user=staff.user, role=role, school=self.school)
        for c in plan.classes:
            school_class = self.classes_by_identity[c.identity]
            posts = RoleAssignment.objects.filter(
                role=Role.CLASS_TEACHER, semester=self.semester, school_class=school_class
            ).select_related("user")
            teacher = self.staff[c.teacher_number].user if c.teacher_number else None
            for post in posts:
                if teacher is None or post.user_id != teacher.pk:
                    role_withdraw(assignment=post)
            if teacher is not None:
                role_assign(
                    user=teacher,
                    role=Role.CLASS_TEACHER,
                    school=self.school,
                    semester=self.semester,
                    school_class=school_class,
                )

    # -- the semester's placements; those no longer listed
    def write_placements_and_leavers(self) -> None:
        plan = self.plan
        existing = {
            p.student_id: p for p in StudentPlacement.objects.filter(semester=self.semester)
        }
        new, changed = [], []
        for row in plan.students:
            student = self.students[row.number]
            school_class = self.classes[(row.grade_name, row.class_number)]
            dorm = self.dorms.get((row.building, row.room)) if row.building else None
            values = {
                "school_class_id": school_class.pk,
                "grade_name": school_class.grade.name,
                "dormitory_id": dorm.pk if dorm else None,
                "boarding": row.boarding,
                "status": Student.Status.ENROLLED,
            }
            placement = existing.get(student.pk)
            if placement is None:
                new.append(
                    StudentPlacement(student_id=student.pk, semester=self.semester, **values)
                )
            elif _assign(placement, values):
                changed.append(placement)
        StudentPlacement.objects.bulk_create(new, batch_size=BATCH)
        StudentPlacement.objects.bulk_update(
            changed,
            ["school_class", "grade_name", "dormitory", "boarding", "status"],
            batch_size=BATCH,
        )
        by_status: dict[str, list[int]] = defaultdict(list)
        for pk, status in plan.leavers.items():
            by_status[status].append(pk)
        for status, pks in by_status.items():
            for chunk in _chunks(pks):
                Student.objects.filter(pk__in=chunk).update(status=status)
                StudentPlacement.objects.filter(
                    semester=self.semester, student_id__in=chunk
                ).update(status=status)


STAFF_FIELDS = ("name", "gender", "phone", "email", "job_title", "part_time_counselor", "is_active")


def _staff_fields(row: StaffRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "gender": row.gender,
        "phone": row.phone,
        "email": row.email,
        "job_title": row.job_title,
        "part_time_counselor": row.part_time_counselor,
        "is_active": True,
    }


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``instance``; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _roster_users(people: list[tuple[str, str]], actor: User | None) -> dict[str, User]:
    """New roster accounts (services.user_for_roster), their history rows written in bulk.

    user_for_roster is one INSERT; the change history's per-row signal would cost more than
    the account itself, so it is switched off here and the same rows are written in batches.
    """
    with disable_auditlog():
        users = {
            username: user_for_roster(username=username, full_name=name)
            for username, name in people
        }
    _record_created(list(users.values()), actor)
    return users


def _roles_assign_in_bulk(
    *, school: School, wanted: list[tuple[int, str]], actor: User | None
) -> None:
    """Standing roles (no semester, no unit) at ``school``: the bulk twin of role_assign."""
    have: set[tuple[int, str]] = set()
    roles = sorted({role for _user, role in wanted})
    user_ids = sorted({user_id for user_id, _role in wanted})
    for chunk in _chunks(user_ids):
        have.update(
            RoleAssignment.objects.filter(
                school=school,
                role__in=roles,
                user_id__in=chunk,
                semester__isnull=True,
                grade__isnull=True,
                school_class__isnull=True,
                dormitory__isnull=True,
            ).values_list("user_id", "role")
        )
    missing = sorted(set(wanted) - have)
    users = {}
    for chunk in _chunks(sorted({user_id for user_id, _role in missing})):
        users.update(User.objects.in_bulk(chunk))
    created = RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=users[user_id], role=role, school=school)
            for user_id, role in missing
        ],
        batch_size=BATCH,
    )
    _record_created(created, actor)


def _record_created(objects: list[models.Model], actor: User | None) -> None:
    """Change-history rows for objects created without signals (as auditlog would write them)."""
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(objects[0])
    # Own columns only: auditlog would otherwise follow every reverse relation, one query each.
    concrete = objects[0]._meta.concrete_fields
    own_fields = {f.name for f in concrete} | {f.attname for f in concrete}
    cid = get_cid()
    as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj),
                action=LogEntry.Action.CREATE,
                changes=model_instance_diff(
                    None, obj, fields_to_check=own_fields, use_json_for_changes=as_json
                ),
                actor=actor,
                cid=cid,
            )
            for obj in objects
        ],
        batch_size=BATCH,
    )


def _sync_full_names(pairs: list[tuple[User, str]]) -> None:
    """An account's full name follows the roster; saved one by one so the history sees it."""
    for user, name in pairs:
        if name and user.full_name != name:
            user.full_name = name
            user.save(update_fields=["full_name"])
