"""Who may do what with the network's weekly reports (crisis/models/reports.py explains the
chain of 002); the rows each person sees are the models' ``visibility_q``."""

from __future__ import annotations

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_counseling_staff
from xinqiao.crisis.models.reports import reporter_unit_ids
from xinqiao.crisis.selectors_reports import SUMMARY_ROLES
from xinqiao.people.selectors import led_grade_ids, taught_class_ids


@rules.predicate
def teaches_report_class(user, report) -> bool:
    return report is not None and report.school_class_id in taught_class_ids(user)


@rules.predicate
def leads_report_grade(user, report) -> bool:
    return (
        report is not None
        and report.school_class_id is not None
        and report.school_class.grade_id in led_grade_ids(user)
    )


@rules.predicate
def coordinates_dormitories(user, report) -> bool:
    return (
        report is not None
        and report.dormitory_id is not None
        and user.has_role(Role.STUDENT_AFFAIRS, school_id=report.school_id)
    )


@rules.predicate
def holds_report_post(user, report) -> bool:
    """The reporter's post of the report's unit, now (a co-holder edits the same report)."""
    if report is None:
        return False
    classes, dorms = reporter_unit_ids(user)
    return report.school_class_id in classes or report.dormitory_id in dorms


@rules.predicate
def sent_the_report(user, report) -> bool:
    return report is not None and report.reporter_id == user.pk


@rules.predicate
def named_the_student(user, item) -> bool:
    return item is not None and item.added_by_id == user.pk


@rules.predicate
def teaches_the_student(user, item) -> bool:
    return item is not None and item.student.school_class_id in taught_class_ids(user)


is_reporter = has_role(Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)
report_staff = is_counseling_staff | has_role(
    Role.CLASS_TEACHER, Role.GRADE_LEADER, Role.STUDENT_AFFAIRS
)

rules.add_perm("crisis.write_weekly_report", is_reporter)
rules.add_perm("crisis.edit_weekly_report", holds_report_post)
rules.add_perm("crisis.view_weekly_report_list", report_staff)
rules.add_perm("crisis.view_weekly_summary", has_role(*SUMMARY_ROLES))
# The summary's rows open the reports for those who may read them, never for leadership.
rules.add_perm("crisis.open_summary_reports", is_counseling_staff)
rules.add_perm(
    "crisis.view_weekly_report",
    is_counseling_staff
    | teaches_report_class
    | leads_report_grade
    | coordinates_dormitories
    | holds_report_post
    | sent_the_report,
)
# Which students a report names: the counseling side, the class teacher (their own students'
# items only, by the rows they see), the reporter (the items they added). Never the grade leader
# or student affairs: they see how many.
rules.add_perm(
    "crisis.view_report_worries",
    is_counseling_staff | teaches_report_class | holds_report_post | sent_the_report,
)
rules.add_perm("crisis.forward_weekly_report", leads_report_grade)
rules.add_perm("crisis.view_worry_list", is_counseling_staff | has_role(Role.CLASS_TEACHER))
rules.add_perm("crisis.view_worry", is_counseling_staff | teaches_the_student | named_the_student)
# Why a classmate is worried: the counseling side and the student who wrote it, never the class
# teacher (DESIGN.md principle 1: they see what is asked of them, never why).
rules.add_perm("crisis.read_worry_why", is_counseling_staff | named_the_student)
rules.add_perm("crisis.handle_worry", is_counseling_staff)
