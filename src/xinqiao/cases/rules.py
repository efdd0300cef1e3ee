"""Who may do what with cases, the student file and the archive (views, API, templates, exports).

One predicate decides who reads case material: ``reads_case`` asks ``Case.read_by``, the
in-memory form of ``Case.visibility_q`` (the director of the school, the case's counselors).
Everyone else is refused, and the refusal is written to the access log by the kernel's getter. Others learn only what they
must act on: a referring teacher sees that the student is being supported, a conference
participant what the conference shared with them, a responsible person their own measures.
"""

from __future__ import annotations

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import (
    has_role,
    is_counseling_staff,
    is_director,
    is_leadership,
    is_staff_member,
)
from xinqiao.people import rules as people_rules


@rules.predicate
def reads_case(user, case) -> bool:
    return case is not None and case.read_by(user)


def reads_case_part(part: str):
    """Reads ``part`` of the case: whoever reads it whole, or a grant that opens the part."""

    @rules.predicate(name=f"reads_case_{part}")
    def reads_part(user, case) -> bool:
        return case is not None and part in case.parts_read_by(user)

    return reads_part


@rules.predicate
def holds_file_grant(user, student) -> bool:
    """An access grant in force to the student's file (read only: no print, no export)."""
    return student is not None and file_grant_of(user, student) is not None


def file_grant_of(user, student):
    """The file grant in force of ``user`` to the student's file, asked once per object."""
    from xinqiao.cases.models import AccessGrant

    fetch = lambda: AccessGrant.file_grant_for(user, student.pk)  # noqa: E731
    return asked_once(student, "_file_grant", user, fetch)


@rules.predicate
def may_ask_for_access(user) -> bool:
    from xinqiao.cases.services_grants import REQUESTER_ROLES

    return user.has_role(*REQUESTER_ROLES)


@rules.predicate
def asked_for(user, grant) -> bool:
    return grant is not None and grant.requester_id == user.pk


@rules.predicate
def directs_school_of(user, obj) -> bool:
    return obj is not None and user.has_role(Role.DIRECTOR, school_id=obj.school_id)


@rules.predicate
def is_case_counselor(user, case) -> bool:
    return (
        case is not None
        and user.has_role(Role.COUNSELOR, Role.DIRECTOR, school_id=case.school_id)
        and user.pk in case.counselor_user_ids
    )


@rules.predicate
def sits_in_conference(user, conference) -> bool:
    return conference is not None and conference.participants.filter(user_id=user.pk).exists()


@rules.predicate
def holds_a_case_of_student(user, student) -> bool:
    """A counselor of any case of the student reads the student's file (the cases they hold).

    Asked once per student object: the file page asks it for reading, printing and exporting."""
    if student is None or not user.has_role(Role.COUNSELOR, school_id=student.school_id):
        return False
    from xinqiao.cases.models import CaseCounselor

    held = CaseCounselor.objects.filter(user_id=user.pk, case__student_id=student.pk)
    return asked_once(student, "_case_holders", user, held.exists)


def asked_once(student, key: str, user, fetch):
    """``fetch()`` about ``user`` and the student, asked once per student object (the file page
    asks the same predicate for reading, printing and exporting)."""
    held = student.__dict__.setdefault(key, {})
    if user.pk not in held:
        held[user.pk] = fetch()
    return held[user.pk]


@rules.predicate
def opened_in_emergency(user, student) -> bool:
    """An emergency access in force to the student's file (break-glass): read and print only."""
    if student is None:
        return False
    from xinqiao.crisis.models import EmergencyAccess

    fetch = lambda: EmergencyAccess.in_force_for(user, student.pk)  # noqa: E731
    return asked_once(student, "_emergency_access", user, fetch) is not None


@rules.predicate
def is_responsible_for_measure(user, measure) -> bool:
    return measure is not None and measure.responsible_id == user.pk


@rules.predicate
def is_guardian_of_student(user, student) -> bool:
    return (
        student is not None
        and user.has_role(Role.GUARDIAN)
        and student.guardian_links.filter(guardian__user_id=user.pk).exists()
    )


may_refer = has_role(
    Role.CLASS_TEACHER,
    Role.GRADE_LEADER,
    Role.STUDENT_AFFAIRS,
    Role.PRINCIPAL,
    Role.VICE_PRINCIPAL,
)
# Whom a teacher may refer: students they can see on the roster (own class, grade, school).
refers_student = (people_rules.teaches_student | people_rules.leads_grade_of_student) | (
    has_role(Role.STUDENT_AFFAIRS, Role.PRINCIPAL, Role.VICE_PRINCIPAL)
)

# Lists and intake (no object): the counseling side.
rules.add_perm("cases.view_case_list", is_counseling_staff)
rules.add_perm("cases.open_case", is_counseling_staff)
# One case: read by the director and its counselors; written by its counselors.
rules.add_perm("cases.view_case", reads_case)
# Its parts: a grant may open only some of them (issue 16 item 1); the intake always shows.
for _part in ("assessment", "conferences", "plan", "records", "evaluations", "referrals"):
    rules.add_perm(f"cases.view_case_{_part}", reads_case_part(_part))
rules.add_perm("cases.view_case_screening", reads_case_part("screening"))
rules.add_perm("cases.write_records", is_case_counselor)
rules.add_perm("cases.assess_case", is_case_counselor | (reads_case & is_director))
rules.add_perm("cases.assign_counselors", reads_case & is_director)
rules.add_perm("cases.convene_conference", reads_case & is_director)
rules.add_perm("cases.draft_plan", is_case_counselor | (reads_case & is_director))
rules.add_perm("cases.approve_plan", reads_case & is_director)
rules.add_perm("cases.request_closure", is_case_counselor)
rules.add_perm("cases.confirm_closure", reads_case & is_director)
rules.add_perm("cases.archive_case", reads_case & is_director)
rules.add_perm("cases.refer_case", is_case_counselor | (reads_case & is_director))
rules.add_perm("cases.record_consent", is_case_counselor | (reads_case & is_director))
rules.add_perm("cases.mark_typical", is_case_counselor)
# What the others see: the share of a conference, their own measures, their own referrals.
rules.add_perm("cases.view_conference_share", sits_in_conference)
rules.add_perm("cases.log_measure_activity", is_responsible_for_measure)
rules.add_perm("cases.refer_student", may_refer)
rules.add_perm("cases.refer_this_student", may_refer & refers_student)
rules.add_perm("cases.raise_concern", has_role(Role.GUARDIAN))
rules.add_perm("cases.raise_concern_for", is_guardian_of_student)
rules.add_perm("cases.view_own_tasks", is_staff_member)
# The student file (一人一档): the director, and counselors of the student's cases.
rules.add_perm(
    "cases.view_student_file",
    is_director | holds_a_case_of_student | opened_in_emergency | holds_file_grant,
)
# A file grant reads, never prints: seed 000 咨询用表不可外借、复印 (a print is a copy).
rules.add_perm(
    "cases.print_student_file", is_director | holds_a_case_of_student | opened_in_emergency
)
# "Forms and records are not lent or copied" (seed 000): exports are the director's alone.
rules.add_perm("cases.export_student_file", is_director)
rules.add_perm("cases.view_archive", is_counseling_staff)
rules.add_perm("cases.archive_semester", is_director)
rules.add_perm("cases.review_retention", is_director)
rules.add_perm("cases.manage_categories", is_director)
rules.add_perm("cases.view_services", is_counseling_staff)
rules.add_perm("cases.manage_services", is_counseling_staff)
rules.add_perm("cases.view_typical_cases", is_counseling_staff | is_leadership)
rules.add_perm("cases.view_statistics", is_counseling_staff | is_leadership)
# Access grants (查阅授权): staff ask, the director decides and revokes, the asker withdraws.
rules.add_perm("cases.request_access", may_ask_for_access)
rules.add_perm("cases.view_grant", asked_for | directs_school_of)
rules.add_perm("cases.withdraw_grant", asked_for)
rules.add_perm("cases.decide_grants", is_director)
rules.add_perm("cases.decide_grant", directs_school_of)
