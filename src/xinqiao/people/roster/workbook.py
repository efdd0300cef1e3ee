"""Reading a roster workbook: cells as text, numbers, dates, phones; sheets into typed rows.

A bad cell is recorded as a ``RowError`` and reading goes on, so one pass reports them all.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation

from xinqiao.core.roles import Role
from xinqiao.people.models import Guardian, SchoolClass, Staff, Student
from xinqiao.people.roster.format import (
    COLUMNS,
    FLAG_COLUMNS,
    GENDERS,
    IDENTIFIER,
    LANDLINE,
    MAX_ROWS,
    MOBILE,
    NAME_LENGTH,
    NO,
    NUMBER_LENGTH,
    PART_TIME_COUNSELOR,
    RELATIONS,
    REQUIRED,
    ROLE_ALIASES,
    ROLE_SEPARATORS,
    STAFF_ROLES,
    YES,
    RowError,
)


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


def read_sheets(source: Source, errors: list[RowError]) -> dict[str, list[_Row]] | None:
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


def parse_classes(rows: list[_Row]) -> list[ClassRow]:
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


def parse_staff(rows: list[_Row], names: dict[str, str]) -> list[StaffRow]:
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


def parse_students(rows: list[_Row]) -> list[StudentRow]:
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


def parse_guardians(rows: list[_Row]) -> list[GuardianRow]:
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
