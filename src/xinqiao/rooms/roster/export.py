"""The published duty roster as an .xlsx workbook to print and put on the room's door.

One sheet per room: a title, then a week grid (times down, 星期一 to 星期日 across) with the
name of the person on duty in each cell. Headers are Chinese, as the door notice is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from xinqiao.core.xlsx import workbook_bytes
from xinqiao.people.models import School, Semester
from xinqiao.rooms.roster.selectors import RoomWeek

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
TERMS = {1: "第一学期", 2: "第二学期"}
CLOSED = "休息"
GAP = "（待安排）"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBEC")
_CLOSED_FILL = PatternFill("solid", fgColor="EEEEEE")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Characters Excel refuses in a sheet name, and its 31-character limit.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def semester_title(semester: Semester) -> str:
    return f"{semester.school_year}–{semester.school_year + 1}学年{TERMS.get(semester.term, '')}"


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", name)[:28] or "值班表"
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}{number}", number + 1
    used.add(candidate)
    return candidate


def roster_workbook(
    *, school: School, semester: Semester, week: int, room_weeks: Iterable[RoomWeek]
) -> bytes:
    """The workbook's bytes: one sheet per room, the week's grid of who is on duty."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    monday, sunday = semester.week_dates(week)
    used: set[str] = set()
    for room_week in room_weeks:
        sheet = workbook.create_sheet(_sheet_name(room_week.room.name, used))
        title = f"{school.name} {room_week.room.name} 值班表"
        subtitle = (
            f"{semester_title(semester)} 第{week}周（{monday:%Y年%m月%d日}—{sunday:%m月%d日}）"
        )
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
        sheet["A1"] = title
        sheet["A1"].font = Font(size=16, bold=True)
        sheet["A1"].alignment = _CENTER
        sheet["A2"] = subtitle
        sheet["A2"].alignment = _CENTER

        header = ["时间"] + [
            f"{WEEKDAYS[i]}\n{day.date:%m月%d日}" for i, day in enumerate(room_week.days)
        ]
        for column, text in enumerate(header, start=1):
            cell = sheet.cell(row=3, column=column, value=text)
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = _CENTER
            cell.border = _BORDER

        rows = room_week.grid()
        for index, ((starts_at, ends_at), cells) in enumerate(rows, start=4):
            time_cell = sheet.cell(row=index, column=1, value=f"{starts_at:%H:%M}—{ends_at:%H:%M}")
            time_cell.alignment = _CENTER
            time_cell.border = _BORDER
            time_cell.font = Font(bold=True)
            for column, (day, shifts) in enumerate(zip(room_week.days, cells, strict=True), 2):
                if shifts:
                    text = "、".join(
                        shift.user.display_name if shift.user else GAP for shift in shifts
                    )
                elif day.closed:
                    text = CLOSED
                else:
                    text = ""
                cell = sheet.cell(row=index, column=column, value=text)
                cell.alignment = _CENTER
                cell.border = _BORDER
                if day.closed and not shifts:
                    cell.fill = _CLOSED_FILL
            sheet.row_dimensions[index].height = 32
        if not rows:
            sheet.cell(row=4, column=1, value="本周无值班安排")
        footer_row = max(len(rows) + 5, 6)
        sheet.cell(
            row=footer_row,
            column=1,
            value="值班人员须按时到岗，接听来电，做好预约登记和值班记录；如需请假，须提前向负责人申请，批准后方可请假。",
        )
        sheet.merge_cells(start_row=footer_row, start_column=1, end_row=footer_row, end_column=8)

        sheet.column_dimensions["A"].width = 16
        for column in range(2, 9):
            sheet.column_dimensions[get_column_letter(column)].width = 14
        sheet.row_dimensions[3].height = 32
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.print_title_rows = "3:3"
    if not workbook.sheetnames:
        sheet = workbook.create_sheet("值班表")
        sheet["A1"] = f"{school.name} 值班表：本周无值班安排"
    return workbook_bytes(workbook)
