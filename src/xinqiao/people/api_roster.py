"""The roster's one-record API (issue 12 item 24): add, correct, transfer in and out, mark as
left, and the history of a student or staff member. The same services and rule as the pages
(``people.manage_roster``: whoever may import the roster); "missing" and "not yours" are 404.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from xinqiao.core.access import get_or_refuse, require
from xinqiao.core.api import JsonOrForm
from xinqiao.people import access
from xinqiao.people.models import School, SchoolClass, Student
from xinqiao.people.roster import records
from xinqiao.people.schemas import StaffOut, StudentOut

router = Router(tags=["people"])
PERMISSION = records.PERMISSION


class StudentIn(Schema):
    student_number: str
    name: str
    class_id: int
    gender: str = ""
    birth_date: datetime.date | None = None
    transferred_in: bool = False


class StudentPatch(Schema):
    """Only the fields given change."""

    name: str | None = None
    gender: str | None = None
    birth_date: datetime.date | None = None
    class_id: int | None = None


class LeaveIn(Schema):
    transferred: bool = False  # to another school; else the student left


class TransferInIn(Schema):
    class_id: int | None = None  # default: the class the student was in


class StaffIn(Schema):
    school_id: int
    staff_number: str
    name: str
    gender: str = ""
    phone: str = ""
    email: str = ""
    job_title: str = ""


class StaffPatch(Schema):
    name: str | None = None
    gender: str | None = None
    phone: str | None = None
    email: str | None = None
    job_title: str | None = None


class HistoryOut(Schema):
    at: datetime.datetime
    actor: str | None
    step: str
    changes: list[tuple[str, str, str]]

    @staticmethod
    def resolve_actor(row) -> str | None:
        return row.actor.display_name if row.actor else None


def _run(service, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None


def _class(request, class_id: int) -> SchoolClass:
    return access.get_class(request, class_id, perm=PERMISSION)


def _student(request, student_id: int) -> Student:
    return access.get_student(request, student_id, perm=PERMISSION)


# --- students ------------------------------------------------------------------------------------
@router.post("/students", response={201: StudentOut}, summary="Add a student")
def student_add(request, payload: Annotated[StudentIn, JsonOrForm(...)]):
    require(request.auth, PERMISSION)
    data = payload.dict(exclude={"class_id"})
    data["student_number"] = data["student_number"].strip()
    student = _run(
        records.student_add,
        actor=request.auth,
        school_class=_class(request, payload.class_id),
        **data,
    )
    return Status(201, student)


@router.patch("/students/{student_id}", response=StudentOut, summary="Correct a student's record")
def student_update(request, student_id: int, payload: Annotated[StudentPatch, JsonOrForm(...)]):
    student = _student(request, student_id)
    given = payload.dict(exclude_unset=True)
    school_class = _class(request, given.pop("class_id")) if "class_id" in given else None
    fields = {
        "name": student.name,
        "gender": student.gender,
        "birth_date": student.birth_date,
        "school_class": school_class or student.school_class,
        **given,
    }
    return _run(records.student_update, actor=request.auth, student=student, **fields)


@router.post(
    "/students/{student_id}/leave",
    response=StudentOut,
    summary="Transfer a student out, or mark them as having left",
)
def student_leave(request, student_id: int, payload: Annotated[LeaveIn, JsonOrForm(None)] = None):
    student = _student(request, student_id)
    transferred = payload.transferred if payload else False
    return _run(records.student_leave, actor=request.auth, student=student, transferred=transferred)


@router.post(
    "/students/{student_id}/transfer-in",
    response=StudentOut,
    summary="Enrol again a student who had left",
)
def student_transfer_in(
    request, student_id: int, payload: Annotated[TransferInIn, JsonOrForm(None)] = None
):
    student = _student(request, student_id)
    class_id = payload.class_id if payload else None
    school_class = _class(request, class_id) if class_id else student.school_class
    if school_class is None:
        raise HttpError(400, "Choose the class.")
    return _run(
        records.student_transfer_in, actor=request.auth, student=student, school_class=school_class
    )


@router.get(
    "/students/{student_id}/history",
    response=list[HistoryOut],
    summary="Who changed what in a student's record, and when (newest first)",
)
def student_history(request, student_id: int):
    return records.roster_history(_student(request, student_id))


# --- staff ---------------------------------------------------------------------------------------
@router.post("/staff", response={201: StaffOut}, summary="Add a staff member")
def staff_add(request, payload: Annotated[StaffIn, JsonOrForm(...)]):
    require(request.auth, PERMISSION)
    school = get_or_refuse(request, School, payload.school_id, PERMISSION)
    data = payload.dict(exclude={"school_id"})
    data["staff_number"] = data["staff_number"].strip()
    staff = _run(records.staff_add, actor=request.auth, school=school, **data)
    return Status(201, staff)


@router.patch("/staff/{staff_id}", response=StaffOut, summary="Correct a staff member's record")
def staff_update(request, staff_id: int, payload: Annotated[StaffPatch, JsonOrForm(...)]):
    staff = access.get_staff(request, staff_id, perm=PERMISSION)
    fields = {name: getattr(staff, name) for name in records.STAFF_FIELDS}
    fields.update(payload.dict(exclude_unset=True))
    return _run(records.staff_update, actor=request.auth, staff=staff, **fields)


@router.post(
    "/staff/{staff_id}/leave",
    response=StaffOut,
    summary="Mark a staff member as having left (their roles at the school end)",
)
def staff_leave(request, staff_id: int):
    staff = access.get_staff(request, staff_id, perm=PERMISSION)
    return _run(records.staff_leave, actor=request.auth, staff=staff)


@router.get(
    "/staff/{staff_id}/history",
    response=list[HistoryOut],
    summary="Who changed what in a staff member's record, and when (newest first)",
)
def staff_history(request, staff_id: int):
    return records.roster_history(access.get_staff(request, staff_id, perm=PERMISSION))
