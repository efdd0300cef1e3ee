"""Checking a roster: every row against the others and against the school (``roster_validate``).

The result is a ``RosterPlan``: the rows, the problems, and what importing would change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import User
from xinqiao.core.xlsx import looks_like_formula
from xinqiao.people.models import (
    Grade,
    Guardian,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
    Staff,
    Student,
)
from xinqiao.people.roster.format import (
    CLASSES,
    COLUMNS,
    GUARDIANS,
    KNOWN_GRADE_LEVELS,
    STAFF,
    STAGE_ENDS,
    STUDENTS,
    RowError,
)
from xinqiao.people.roster.semesters import SemesterChoice, semester_problem
from xinqiao.people.roster.workbook import (
    ClassRow,
    GuardianPerson,
    GuardianRow,
    Source,
    StaffRow,
    StudentRow,
    parse_classes,
    parse_guardians,
    parse_staff,
    parse_students,
    read_sheets,
    role_names,
)

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
    """What a workbook says and what importing it would do; ``errors`` empty means it may.

    ``warnings`` are shown with the report and do not stop the import.
    """

    school: School
    semester: SemesterChoice
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
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
    enrolled: int = 0  # students enrolled at the school before the import
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

    @property
    def departures_to_confirm(self) -> dict[str, int] | None:
        """The numbers the importer must confirm when more students would leave than the share
        ``ROSTER_DEPARTURES_CONFIRM_PERCENT`` allows (a part of the roster taken for the whole);
        None when no confirmation is needed."""
        left = sum(1 for status in self.leavers.values() if status == Student.Status.LEFT)
        if not left or left * 100 <= settings.ROSTER_DEPARTURES_CONFIRM_PERCENT * self.enrolled:
            return None
        return {
            "left": left,
            "enrolled": self.enrolled,
            "percent": round(100 * left / self.enrolled),
            "classes_closed": len(self.classes_to_close),
        }


# --- validation ----------------------------------------------------------------------------------
def roster_validate(*, school: School, semester: SemesterChoice, source: Source) -> RosterPlan:
    """Read the workbook and check every row against itself and the school; write nothing."""
    plan = RosterPlan(school=school, semester=semester)
    errors = plan.errors
    problem = semester_problem(school, semester)
    if problem is not None:
        errors.append(problem)
    sheets = read_sheets(source, errors)
    if sheets is None:
        return plan
    plan.rows = sum(len(rows) for rows in sheets.values())
    plan.classes = parse_classes(sheets[CLASSES])
    plan.staff = parse_staff(sheets[STAFF], role_names())
    plan.students = parse_students(sheets[STUDENTS])
    guardian_rows = parse_guardians(sheets[GUARDIANS])
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
    _warn_of_formulas(plan)
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
    for chunk in chunks(names):
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
    for chunk in chunks(sorted(user_ids)):
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


def _warn_of_formulas(plan: RosterPlan) -> None:
    """Names a spreadsheet program would run as formulas (issue 12): likely a prank or a slip."""
    names = [
        *((STAFF, s.row, "姓名", s.name) for s in plan.staff),
        *((STUDENTS, s.row, "姓名", s.name) for s in plan.students),
        *((GUARDIANS, r.row, "家长姓名", g.name) for g in plan.guardians for r in g.rows[:1]),
    ]
    plan.warnings.extend(
        RowError(sheet, row, column, "looks_like_formula", {"value": name})
        for sheet, row, column, name in names
        if looks_like_formula(name)
    )


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
        if student.status != Student.Status.ENROLLED:
            continue
        plan.enrolled += 1
        if number in listed:
            continue
        final = student.school_class is not None and student.school_class.grade.is_final
        plan.leavers[student.pk] = (
            Student.Status.GRADUATED if final and new_year else Student.Status.LEFT
        )


BATCH = 500  # rows per query when reading or writing in bulk


def chunks(items: list, size: int = BATCH) -> Iterator[list]:
    """``items`` in lists of at most ``size``, so that no query names too many rows."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
