"""One student or staff member at a time, between imports (issue 12 item 24): add, correct,
transfer in and out, mark as left; each step is written to the change history with its author.

The roster import rewrites a whole semester; these services change one record and never touch
another. Whoever may import the roster may use them (``people.manage_roster``); the pages and
the API check it, the services trust their caller.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import (
    Gender,
    RoleAssignment,
    School,
    SchoolClass,
    Staff,
    Student,
    StudentPlacement,
)
from xinqiao.people.roster.format import IDENTIFIER, MESSAGES, NAME_LENGTH, NUMBER_LENGTH
from xinqiao.people.services import role_assign, role_withdraw, user_for_roster

PERMISSION = "people.manage_roster"  # whoever may import the roster (people/rules.py)


class Step(models.TextChoices):
    """What one change to a roster record was, as its history shows it."""

    ADDED = "added", _("added")
    TRANSFERRED_IN = "transferred_in", _("transferred in")
    EDITED = "edited", _("corrected")
    TRANSFERRED_OUT = "transferred_out", _("transferred out")
    LEFT = "left", _("left the school")


def _record(obj: models.Model, *, actor: User | None, step: Step, before=None) -> None:
    """The history row of one step (a row of auditlog's change history, as its other rows):
    who, when, which fields from what to what."""
    changes = {}
    for field in obj._meta.concrete_fields:
        old = None if before is None else field.value_from_object(before)
        new = field.value_from_object(obj)
        if old != new:
            changes[field.name] = [str(old), str(new)]
    if before is not None and not changes:
        return  # nothing changed: nothing to record
    LogEntry.objects.log_create(
        obj,
        action=LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE,
        changes=changes,
        actor=actor,
        additional_data={"step": step.value},
    )


def _check_person(name: str, gender: str) -> None:
    """What the roster import checks of a person's row, for records that come one at a time."""
    if not name.strip():
        raise ValidationError({"name": _("This field is required.")})
    if len(name) > NAME_LENGTH:
        raise ValidationError({"name": MESSAGES["too_long"] % {"max": NAME_LENGTH}})
    if gender not in ("", *Gender.values):
        raise ValidationError({"gender": _("Gender is M (male), F (female) or empty.")})


def _account_name_free(username: str, field: str) -> None:
    """A student or staff number names the person's account: the import's rule, free everywhere."""
    if not IDENTIFIER.match(username) or len(username) > NUMBER_LENGTH:
        raise ValidationError({field: MESSAGES["bad_identifier"]})
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {field: _("The account name “%(value)s” is taken by another account.")},
            params={"value": username},
        )


def _check_class(school: School, school_class: SchoolClass) -> None:
    if school_class.school_id != school.pk or school_class.graduated:
        raise ValidationError({"school_class": _("Choose a current class of the school.")})


def _place(student: Student) -> None:
    """The student's placement in the school's current semester follows the record."""
    semester = student.school.current_semester
    if semester is None or student.school_class is None:
        return
    school_class = student.school_class
    StudentPlacement.objects.update_or_create(
        student=student,
        semester=semester,
        defaults={
            "school_class": school_class,
            "grade_name": school_class.grade.name,
            "dormitory": student.dormitory,
            "boarding": student.boarding,
            "status": student.status,
        },
    )


# --- students ------------------------------------------------------------------------------------
@service
def student_add(
    *,
    actor: User | None,
    school_class: SchoolClass,
    student_number: str,
    name: str,
    gender: str = "",
    birth_date: datetime.date | None = None,
    transferred_in: bool = False,
) -> Student:
    """A new student in ``school_class``: a record, an account to be issued, the student role."""
    school = school_class.school
    _check_person(name, gender)
    _check_class(school, school_class)
    if Student.objects.filter(school=school, student_number=student_number).exists():
        raise ValidationError(
            {
                "student_number": _(
                    "The school already has a student with this number; to take back a student "
                    "who left, open their record and transfer them in."
                )
            }
        )
    _account_name_free(student_number, "student_number")
    user = user_for_roster(username=student_number, full_name=name)
    student = Student.objects.create(
        school=school,
        user=user,
        student_number=student_number,
        name=name,
        gender=gender,
        birth_date=birth_date,
        school_class=school_class,
    )
    role_assign(user=user, role=Role.STUDENT, school=school)
    _place(student)
    _record(student, actor=actor, step=Step.TRANSFERRED_IN if transferred_in else Step.ADDED)
    return student


@service
def student_update(
    *,
    actor: User | None,
    student: Student,
    name: str,
    gender: str,
    birth_date: datetime.date | None,
    school_class: SchoolClass,
) -> Student:
    """Correct a student's record (name, gender, date of birth, class)."""
    _check_person(name, gender)
    _check_class(student.school, school_class)
    before = copy.copy(student)
    student.name, student.gender, student.birth_date = name, gender, birth_date
    student.school_class = school_class
    student.save()
    if student.user.full_name != name:
        student.user.full_name = name
        student.user.save(update_fields=["full_name"])
    _place(student)
    _record(student, actor=actor, step=Step.EDITED, before=before)
    return student


@service
def student_leave(*, actor: User | None, student: Student, transferred: bool) -> Student:
    """The student leaves the school (to another school when ``transferred``)."""
    if student.status != Student.Status.ENROLLED:
        raise ValidationError(_("Only an enrolled student can leave the school."))
    before = copy.copy(student)
    student.status = Student.Status.LEFT
    student.save(update_fields=["status"])
    _place(student)
    _record(
        student,
        actor=actor,
        step=Step.TRANSFERRED_OUT if transferred else Step.LEFT,
        before=before,
    )
    return student


@service
def student_transfer_in(
    *, actor: User | None, student: Student, school_class: SchoolClass
) -> Student:
    """A student who had left comes back, into ``school_class``."""
    if student.status != Student.Status.LEFT:
        raise ValidationError(_("Only a student who left the school can be transferred in."))
    _check_class(student.school, school_class)
    before = copy.copy(student)
    student.status = Student.Status.ENROLLED
    student.school_class = school_class
    student.save(update_fields=["status", "school_class"])
    _place(student)
    _record(student, actor=actor, step=Step.TRANSFERRED_IN, before=before)
    return student


# --- staff ---------------------------------------------------------------------------------------
STAFF_FIELDS = ("name", "gender", "phone", "email", "job_title")


@service
def staff_add(*, actor: User | None, school: School, staff_number: str, **fields: Any) -> Staff:
    """A new staff member: a record and an account to be issued (roles: the network pages)."""
    _check_person(fields["name"], fields.get("gender", ""))
    if Staff.objects.filter(school=school, staff_number=staff_number).exists():
        raise ValidationError(
            {"staff_number": _("The school already has a staff member with this number.")}
        )
    _account_name_free(staff_number, "staff_number")
    user = user_for_roster(username=staff_number, full_name=fields["name"])
    staff = Staff.objects.create(school=school, user=user, staff_number=staff_number, **fields)
    _record(staff, actor=actor, step=Step.ADDED)
    return staff


@service
def staff_update(*, actor: User | None, staff: Staff, **fields: Any) -> Staff:
    """Correct a staff member's record (name, gender, phone, e-mail, post)."""
    _check_person(fields["name"], fields["gender"])
    before = copy.copy(staff)
    for name in STAFF_FIELDS:
        setattr(staff, name, fields[name])
    staff.save()
    if staff.user.full_name != staff.name:
        staff.user.full_name = staff.name
        staff.user.save(update_fields=["full_name"])
    _record(staff, actor=actor, step=Step.EDITED, before=before)
    return staff


@service
def staff_leave(*, actor: User | None, staff: Staff) -> Staff:
    """The staff member leaves the school: out of service, every role at the school withdrawn
    (a counselor who left reads no case of the school any more)."""
    if not staff.is_active:
        raise ValidationError(_("This staff member has already left the school."))
    before = copy.copy(staff)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    for assignment in RoleAssignment.objects.filter(user=staff.user, school=staff.school):
        role_withdraw(assignment=assignment)
    _record(staff, actor=actor, step=Step.LEFT, before=before)
    return staff


# --- history -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    actor: User | None
    step: str
    changes: list[tuple[str, str, str]]  # (field's name, before, after)


HIDDEN_FIELDS = frozenset({"id", "user", "school"})


def roster_history(obj: Student | Staff) -> list[HistoryRow]:
    """Every recorded change of the record, newest first."""
    fields = {f.name: f for f in obj._meta.concrete_fields if f.name not in HIDDEN_FIELDS}
    fields.update({f.attname: f for f in list(fields.values())})
    rows = []
    entries = LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")
    for entry in entries:
        step = (entry.additional_data or {}).get("step")
        changes = [
            (str(fields[name].verbose_name), _shown(fields[name], old), _shown(fields[name], new))
            for name, (old, new) in (entry.changes_dict or {}).items()
            if name in fields
        ]
        rows.append(
            HistoryRow(
                at=entry.timestamp,
                actor=entry.actor,
                step=str(Step(step).label) if step in Step.values else entry.get_action_display(),
                changes=changes,
            )
        )
    return rows


def _shown(field: models.Field, value: Any) -> str:
    """A value as the history shows it: a choice's label, a class's name, a dash for none."""
    if value in (None, "None", ""):
        return "—"
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value in (True, "True") else _("no"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related is not None else "—"
    return str(value)
