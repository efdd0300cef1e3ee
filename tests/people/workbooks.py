"""Roster workbooks built in code: the demo-style school, the next school year, any rows.

Rows are dicts keyed by the template's Chinese headers; a header a row leaves out is an empty
cell. ``Roster.workbook()`` gives the .xlsx bytes the import reads.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field

import openpyxl

from xinqiao.people.roster.format import CLASSES, COLUMNS, GUARDIANS, STAFF, STUDENTS

Row = dict[str, object]


@dataclass
class Roster:
    classes: list[Row] = field(default_factory=list)
    staff: list[Row] = field(default_factory=list)
    students: list[Row] = field(default_factory=list)
    guardians: list[Row] = field(default_factory=list)

    def copy(self) -> Roster:
        return copy.deepcopy(self)

    def workbook(self, *, leave_out: tuple[str, ...] = ()) -> bytes:
        return roster_workbook(
            classes=self.classes,
            staff=self.staff,
            students=self.students,
            guardians=self.guardians,
            leave_out=leave_out,
        )

    def student(self, number: str) -> Row:
        return next(s for s in self.students if s["学号"] == number)

    @property
    def rows(self) -> int:
        return len(self.classes) + len(self.staff) + len(self.students) + len(self.guardians)


def roster_workbook(
    *,
    classes: list[Row] = (),
    staff: list[Row] = (),
    students: list[Row] = (),
    guardians: list[Row] = (),
    leave_out: tuple[str, ...] = (),
) -> bytes:
    """A workbook with the four sheets (less ``leave_out``), headers in row 1, then the rows."""
    workbook = openpyxl.Workbook(write_only=True)
    for name, rows in (
        (CLASSES, classes),
        (STAFF, staff),
        (STUDENTS, students),
        (GUARDIANS, guardians),
    ):
        if name in leave_out:
            continue
        sheet = workbook.create_sheet(name)
        sheet.append(list(COLUMNS[name]))
        for row in rows:
            sheet.append([row.get(header) for header in COLUMNS[name]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# (name, gender, flags) per class; the flags are the sheet's circumstance columns set to 是.
_PUPILS = {
    ("七年级", 1, 2026): [("李明", "男", ["留守儿童"]), ("王芳", "女", [])],
    ("七年级", 2, 2026): [("张伟", "男", []), ("刘洋", "女", ["家庭经济困难"])],
    ("八年级", 1, 2025): [("陈静", "女", []), ("杨帆", "男", ["单亲家庭", "随迁子女"])],
    ("九年级", 1, 2024): [("赵磊", "男", []), ("王刚", "男", [])],
}
_TEACHERS = ["T001", "T002", "T003", "T004"]


def student_number(cohort: int, class_number: int, seat: int) -> str:
    return f"{cohort}{class_number:02d}{seat:02d}"


def demo_roster() -> Roster:
    """A small secondary school for 2026–2027: 七年级 (two classes), 八年级, 九年级.

    Seven staff (four class teachers, the center's director, a counselor, the principal),
    eight students, their guardians (王芳 and 王刚 share their mother; 李明 has a grandparent
    as well, who is his first contact).
    """
    roster = Roster(
        staff=[
            {
                "工号": "T001",
                "姓名": "张老师",
                "性别": "女",
                "手机": "13800000001",
                "职务": "语文教师",
                "角色": "班主任",
            },
            {
                "工号": "T002",
                "姓名": "王老师",
                "性别": "男",
                "手机": "13800000002",
                "角色": "班主任",
            },
            {"工号": "T003", "姓名": "李老师", "性别": "女", "角色": "班主任, 年级组长"},
            {
                "工号": "T004",
                "姓名": "赵老师",
                "性别": "男",
                "邮箱": "zhao@example.org",
                "角色": "class_teacher",
            },
            {
                "工号": "T005",
                "姓名": "陈主任",
                "性别": "女",
                "职务": "心理中心主任",
                "角色": "心理中心主任",
            },
            {"工号": "T006", "姓名": "刘老师", "性别": "女", "角色": "兼职心理教师，值班人员"},
            {
                "工号": "T007",
                "姓名": "周校长",
                "性别": "男",
                "手机": "0571-88881234",
                "角色": "校长",
            },
        ]
    )
    for (grade, number, cohort), teacher in zip(_PUPILS, _TEACHERS, strict=True):
        roster.classes.append(
            {"年级": grade, "班号": number, "入学年份": cohort, "班主任工号": teacher}
        )
    phone = 13900000000
    for (grade, number, cohort), pupils in _PUPILS.items():
        for seat, (name, gender, flags) in enumerate(pupils, start=1):
            sn = student_number(cohort, number, seat)
            roster.students.append(
                {
                    "学号": sn,
                    "姓名": name,
                    "性别": gender,
                    "出生日期": f"{cohort - 13}-0{seat + 2}-1{seat}",
                    "年级": grade,
                    "班号": number,
                    **(
                        {"宿舍楼": "1号楼", "宿舍号": f"{100 + number}", "住校": "是"}
                        if gender == "男"
                        else {}
                    ),
                    **dict.fromkeys(flags, "是"),
                }
            )
            if name == "王刚":  # 王芳's brother: the same mother
                mother = next(
                    g for g in roster.guardians if g["学生学号"] == roster.students[1]["学号"]
                )
                roster.guardians.append({**mother, "学生学号": sn})
                continue
            phone += 1
            relation = "母亲" if seat % 2 == 0 else "父亲"
            roster.guardians.append(
                {
                    "学生学号": sn,
                    "家长姓名": f"{name[0]}{'妈妈' if relation == '母亲' else '爸爸'}",
                    "关系": relation,
                    "手机": str(phone),
                }
            )
    li_ming = roster.students[0]["学号"]
    roster.guardians.append(
        {
            "学生学号": li_ming,
            "家长姓名": "李奶奶",
            "关系": "祖辈",
            "手机": "13700000001",
            "第一联系人": "是",
        }
    )
    return roster


GRADE_AFTER = {"七年级": "八年级", "八年级": "九年级"}


def next_school_year(roster: Roster, *, newcomers: int = 2) -> Roster:
    """The same school a year on: every class up a grade, 九年级 gone, a new 七年级1班.

    The new 七年级 class (entered a year later) gets ``newcomers`` students with one guardian
    each, and the graduates' class teacher teaches it.
    """
    cohort = max(int(c["入学年份"]) for c in roster.classes) + 1
    leaving = {s["学号"] for s in roster.students if s["年级"] not in GRADE_AFTER}
    result = Roster(staff=copy.deepcopy(roster.staff))
    graduates_teacher = None
    for c in roster.classes:
        if c["年级"] in GRADE_AFTER:
            result.classes.append({**c, "年级": GRADE_AFTER[c["年级"]]})
        else:
            graduates_teacher = c["班主任工号"]
    result.classes.append(
        {"年级": "七年级", "班号": 1, "入学年份": cohort, "班主任工号": graduates_teacher}
    )
    for s in roster.students:
        if s["学号"] not in leaving:
            result.students.append({**s, "年级": GRADE_AFTER[s["年级"]]})
    result.guardians = [g for g in roster.guardians if g["学生学号"] not in leaving]
    for seat in range(1, newcomers + 1):
        sn = student_number(cohort, 1, seat)
        result.students.append(
            {"学号": sn, "姓名": f"新生{seat}", "性别": "女", "年级": "七年级", "班号": 1}
        )
        result.guardians.append(
            {
                "学生学号": sn,
                "家长姓名": f"新家长{seat}",
                "关系": "母亲",
                "手机": f"1360000{seat:04d}",
            }
        )
    return result


def large_roster(students: int, *, per_class: int = 50, cohort: int = 2026) -> Roster:
    """A school of ``students`` students (one guardian each) in 七年级–九年级, for benchmarks."""
    roster = Roster()
    classes_per_grade = -(-students // per_class // 3) or 1
    grades = [("七年级", cohort), ("八年级", cohort - 1), ("九年级", cohort - 2)]
    teacher = 0
    for grade, year in grades:
        for number in range(1, classes_per_grade + 1):
            teacher += 1
            staff_number = f"T{teacher:04d}"
            roster.staff.append(
                {"工号": staff_number, "姓名": f"教师{teacher}", "性别": "女", "角色": "班主任"}
            )
            roster.classes.append(
                {"年级": grade, "班号": number, "入学年份": year, "班主任工号": staff_number}
            )
    for index in range(students):
        c = roster.classes[index % len(roster.classes)]
        sn = f"{c['入学年份']}{c['班号']:02d}{index:05d}"
        roster.students.append(
            {
                "学号": sn,
                "姓名": f"学生{index}",
                "性别": "男" if index % 2 else "女",
                "出生日期": f"{int(c['入学年份']) - 13}-05-01",
                "年级": c["年级"],
                "班号": c["班号"],
                "留守儿童": "是" if index % 7 == 0 else "否",
            }
        )
        roster.guardians.append(
            {
                "学生学号": sn,
                "家长姓名": f"家长{index}",
                "关系": "母亲",
                "手机": f"135{index:08d}",
                "第一联系人": "是",
            }
        )
    return roster
