"""The demo school's access log oversight (`xinqiao demo`): a flagged reading pattern.

The demo counselor (the school's one counselor who signs in) opens 32 students' files one after the other (a "check" of the whole
grade after the screening, outside their cases): the rows go through ``record_access``, so the
chain verifies (`xinqiao verify-audit`), and the scan the task queue runs every five minutes is
run once here, so the director finds the flag (and its notice) at once. The scan also flags
whatever else the demo's rows show (reads written at night when the demo is loaded at night).
"""

from __future__ import annotations

from xinqiao.core.access_log import record_access
from xinqiao.core.demo import DemoContext
from xinqiao.core.models import User
from xinqiao.people.models import School, Student
from xinqiao.privacy.services import flags_scan

FILES_READ = 32


def build(context: DemoContext) -> None:
    school: School = context.objects.get("school") or School.objects.get(code="demo")
    reader = (
        context.objects.get("user:counselor") or User.objects.filter(username="counselor").first()
    )
    if reader is None:
        return
    students = Student.objects.filter(school=school).order_by("student_number")[:FILES_READ]
    for student in students:
        record_access(
            actor=reader,
            action="read",
            obj=student,
            basis="counselor: screening follow-up check of the grade",
        )
    context.objects["access_flags"] = flags_scan()
