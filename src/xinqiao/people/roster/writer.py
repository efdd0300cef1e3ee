"""Writing a checked roster in one transaction, every step in bulk (``roster_import``).

``bulk_create`` sends no signals, so the change history rows of the accounts and roles it creates
are written here in bulk too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import disable_auditlog, set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

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
from xinqiao.people.roster.checks import BATCH, RosterPlan, chunks, roster_validate
from xinqiao.people.roster.format import RowError
from xinqiao.people.roster.semesters import SemesterChoice, semesters_advance
from xinqiao.people.roster.workbook import GuardianPerson, Source, StaffRow, StudentRow
from xinqiao.people.services import role_assign, role_withdraw, user_for_roster


class RosterInvalid(Exception):
    """The workbook has bad rows: nothing was written."""

    def __init__(self, plan: RosterPlan):
        super().__init__(f"{len(plan.errors)} problem(s) in the roster")
        self.plan = plan


# --- the import ----------------------------------------------------------------------------------
Progress = Callable[[int, int], None]
STEPS = 9


@dataclass
class RosterResult:
    semester: Semester
    counts: dict[str, int]
    warnings: list[RowError]


def roster_import(
    *,
    actor: User | None,
    school: School,
    semester: SemesterChoice,
    source: Source,
    progress: Progress | None = None,
    confirm_departures: bool = False,
) -> RosterResult:
    """Validate and write the workbook in one transaction; raise RosterInvalid if a row is bad.

    The validation runs again inside the transaction so that it sees exactly what is written
    over (SQLite takes the write lock at the start; PostgreSQL's unique constraints back it up).
    An import that would mark more students as having left than the configured share is
    refused unless ``confirm_departures`` (the importer saw the numbers and agreed).
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
        departures = plan.departures_to_confirm
        if departures and not confirm_departures:
            plan.errors.append(RowError("", None, "", "departures_unconfirmed", departures))
            raise RosterInvalid(plan)
        writer = _Writer(plan, actor, step)
        writer.run()
    return RosterResult(semester=writer.semester, counts=plan.counts, warnings=plan.warnings)


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
        semesters_advance(school=self.school)  # current once begun, not on import
        semester.refresh_from_db(fields=["is_current"])
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
        for chunk in chunks(student_ids):
            for link in GuardianLink.objects.filter(student_id__in=chunk):
                existing[(link.guardian_id, link.student_id)] = link
        stale = [link.pk for key, link in existing.items() if key not in wanted]
        for chunk in chunks(stale):
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
            for chunk in chunks(pks):
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
    for chunk in chunks(user_ids):
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
    for chunk in chunks(sorted({user_id for user_id, _role in missing})):
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
