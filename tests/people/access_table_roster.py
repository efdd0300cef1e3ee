"""Access rows for the roster import and the one-record pages: the administrator's alone."""

import atexit

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.access import Route
from tests.people.roster_factories import StaffFactory
from tests.people.workbooks import roster_workbook
from xinqiao.people.roster import jobs
from xinqiao.people.roster.semesters import SemesterChoice

ADMIN = frozenset({"admin"})


def _job(cast) -> str:
    """An import the cast's admin uploaded and that is ready: one new staff member only."""
    workbook = roster_workbook(staff=[{"工号": "T900", "姓名": "钱老师", "角色": "值班人员"}])
    job = jobs.roster_job_create(
        actor=cast.admin,
        school=cast.school,
        semester=SemesterChoice.of(cast.semester),
        upload=SimpleUploadedFile("roster.xlsx", workbook),
    )
    # The sweep cannot give the jobs a temporary directory: their files go when the run ends.
    for path in (job.json_path, job.workbook_path, jobs.imports_dir() / f"{job.id}.lock"):
        atexit.register(path.unlink, missing_ok=True)
    return job.id


ROUTES = [
    Route("people:roster_import", ADMIN),
    # Nothing chosen: the administrator gets the form back with its messages.
    Route("people:roster_import", ADMIN, method="post"),
    Route("people:roster_template", ADMIN),
    Route("people:roster_import_status", ADMIN, kwargs={"job_id": _job}),
    Route("people:roster_import_confirm", ADMIN, method="post", kwargs={"job_id": _job}, ok=(302,)),
    Route("people:roster_import_cancel", ADMIN, method="post", kwargs={"job_id": _job}, ok=(302,)),
]


def _student(cast) -> int:
    return cast.student_record.pk


def _staff(cast) -> int:
    return StaffFactory(school=cast.school).pk


# One record at a time (issue 12 item 24); an empty form is answered 400 with its messages.
ROUTES += [
    Route("people:roster_student_add", ADMIN),
    Route("people:roster_student_add", ADMIN, method="post", ok=(400,)),
    Route("people:roster_student", ADMIN, kwargs={"pk": _student}),
    Route("people:roster_student_edit", ADMIN, kwargs={"pk": _student}),
    Route("people:roster_student_edit", ADMIN, method="post", kwargs={"pk": _student}, ok=(400,)),
    Route("people:roster_student_leave", ADMIN, kwargs={"pk": _student}),
    Route("people:roster_student_leave", ADMIN, method="post", kwargs={"pk": _student}, ok=(400,)),
    Route("people:roster_student_transfer_in", ADMIN, kwargs={"pk": _student}),
    Route(
        "people:roster_student_transfer_in",
        ADMIN,
        method="post",
        kwargs={"pk": _student},
        ok=(400,),
    ),
    Route("people:roster_staff_list", ADMIN),
    Route("people:roster_staff_add", ADMIN),
    Route("people:roster_staff_add", ADMIN, method="post", ok=(400,)),
    Route("people:roster_staff", ADMIN, kwargs={"pk": _staff}),
    Route("people:roster_staff_edit", ADMIN, kwargs={"pk": _staff}),
    Route("people:roster_staff_edit", ADMIN, method="post", kwargs={"pk": _staff}, ok=(400,)),
    Route("people:roster_staff_leave", ADMIN, kwargs={"pk": _staff}),
    Route("people:roster_staff_leave", ADMIN, method="post", kwargs={"pk": _staff}, ok=(302,)),
]

# The same through the API. A class or school that does not exist is "not found" to the
# administrator; everyone else is refused before anything is looked up.
ROUTES += [
    Route(
        "POST /api/people/roster/students",
        ADMIN,
        method="post",
        data={"student_number": "2026079999", "name": "接口同学", "class_id": 999999},
        ok=(404,),
    ),
    Route("PATCH /api/people/roster/students/{student_id}", ADMIN, kwargs={"student_id": _student}),
    Route(
        "POST /api/people/roster/students/{student_id}/leave",
        ADMIN,
        method="post",
        kwargs={"student_id": _student},
    ),
    # The cast's student is enrolled: only one who left may be transferred in.
    Route(
        "POST /api/people/roster/students/{student_id}/transfer-in",
        ADMIN,
        method="post",
        kwargs={"student_id": _student},
        ok=(400,),
    ),
    Route(
        "GET /api/people/roster/students/{student_id}/history",
        ADMIN,
        kwargs={"student_id": _student},
    ),
    Route(
        "POST /api/people/roster/staff",
        ADMIN,
        method="post",
        data={"school_id": 999999, "staff_number": "T9999", "name": "接口老师"},
        ok=(404,),
    ),
    Route("PATCH /api/people/roster/staff/{staff_id}", ADMIN, kwargs={"staff_id": _staff}),
    Route(
        "POST /api/people/roster/staff/{staff_id}/leave",
        ADMIN,
        method="post",
        kwargs={"staff_id": _staff},
    ),
    Route("GET /api/people/roster/staff/{staff_id}/history", ADMIN, kwargs={"staff_id": _staff}),
]
