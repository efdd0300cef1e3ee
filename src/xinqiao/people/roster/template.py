"""The empty roster workbook the import page offers for download (``roster_template``)."""

from __future__ import annotations

from collections.abc import Iterable

import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from xinqiao.core.xlsx import workbook_bytes
from xinqiao.people.roster.format import (
    CLASSES,
    COLUMNS,
    FLAG_COLUMNS,
    GUARDIANS,
    MAX_ROWS,
    REQUIRED,
    STAFF,
    STUDENTS,
)

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
    return workbook_bytes(workbook)


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
