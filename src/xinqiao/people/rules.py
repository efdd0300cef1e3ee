"""Who may do what with the organisation and its people (views, API, templates, exports)."""

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_signed_in, is_staff_member
from xinqiao.people import care, selectors


@rules.predicate
def teaches_class(user, school_class) -> bool:
    return school_class is not None and school_class.pk in selectors.taught_class_ids(user)


@rules.predicate
def leads_grade_of_class(user, school_class) -> bool:
    return school_class is not None and school_class.grade_id in selectors.led_grade_ids(user)


@rules.predicate
def teaches_student(user, student) -> bool:
    return student is not None and student.school_class_id in selectors.taught_class_ids(user)


@rules.predicate
def leads_grade_of_student(user, student) -> bool:
    return (
        student is not None
        and student.school_class_id is not None
        and student.school_class.grade_id in selectors.led_grade_ids(user)
    )


@rules.predicate
def is_the_student_or_guardian(user, student) -> bool:
    if student is None:
        return False
    return student.user_id == user.pk or student.guardian_links.filter(guardian__user=user).exists()


@rules.predicate
def counsels_student(user, student) -> bool:
    return student is not None and care.counsels(user.pk, student.pk)


roster_wide = has_role(*selectors.ROSTER_WIDE_ROLES)
is_admin = has_role(Role.ADMIN)

rules.add_perm("people.view_school_list", is_admin | has_role(Role.DISTRICT) | is_staff_member)
rules.add_perm("people.view_school", is_admin | has_role(Role.DISTRICT) | is_staff_member)
rules.add_perm(
    "people.view_class_list",
    is_admin | roster_wide | has_role(Role.CLASS_TEACHER, Role.GRADE_LEADER),
)
rules.add_perm("people.view_class", is_admin | roster_wide | teaches_class | leads_grade_of_class)
rules.add_perm(
    "people.view_student_list",
    is_admin | roster_wide | has_role(Role.CLASS_TEACHER, Role.GRADE_LEADER),
)
rules.add_perm(
    "people.view_student",
    is_admin | roster_wide | teaches_student | leads_grade_of_student | is_the_student_or_guardian,
)
# Family circumstances (left-behind, single-parent, ...): the director, and the counselors of
# the student's cases (DESIGN 1): a counselor without a case of the student reads nothing.
circumstances_reader = has_role(Role.DIRECTOR) | (has_role(Role.COUNSELOR) & counsels_student)
rules.add_perm("people.view_student_circumstances", circumstances_reader)
rules.add_perm("people.change_student_circumstances", circumstances_reader)
# The roster, semesters and accounts are the administrator's.
rules.add_perm("people.manage_roster", is_admin)
rules.add_perm("people.import_roster", is_admin)
rules.add_perm("people.issue_accounts", is_admin)
# Who is responsible where is no secret among staff.
rules.add_perm("people.view_network", is_admin | is_staff_member)
rules.add_perm("people.manage_network", is_admin | has_role(Role.PRINCIPAL, Role.VICE_PRINCIPAL))
rules.add_perm("people.view_post_duties", is_signed_in)
