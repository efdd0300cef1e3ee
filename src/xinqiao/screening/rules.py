"""Who may do what with screening (seeds 001/004: individual results are confidential).

Only the counseling side reads answers and scores; class teachers see completion of their class
and whom to send for an interview; leadership sees aggregates with small groups suppressed; a
respondent sees what the campaign lets them see; a guardian opts their child out.
"""

import rules

from xinqiao.cases.rules import is_case_counselor, reads_case
from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_counseling_staff, is_director, is_leadership


@rules.predicate
def is_respondent(user, participation) -> bool:
    return participation is not None and participation.respondent_user_id == user.pk


@rules.predicate
def is_guardian_of_respondent(user, participation) -> bool:
    if participation is None or participation.student_id is None:
        return False
    return participation.student.guardian_links.filter(guardian__user_id=user.pk).exists()


is_class_teacher = has_role(Role.CLASS_TEACHER)
is_grade_leader = has_role(Role.GRADE_LEADER)

rules.add_perm("screening.view_scales", is_counseling_staff)
rules.add_perm("screening.manage_campaigns", is_director)
# Completion only (how many have submitted per class), never answers.
rules.add_perm(
    "screening.view_completion",
    is_counseling_staff | is_class_teacher | is_grade_leader | is_leadership,
)
rules.add_perm("screening.view_results", is_counseling_staff)
rules.add_perm("screening.export_results", is_counseling_staff)
rules.add_perm("screening.view_follow_ups", is_counseling_staff | is_class_teacher)
rules.add_perm("screening.record_interview", is_counseling_staff)
rules.add_perm("screening.assign_interview", is_director)
rules.add_perm("screening.view_reports", is_counseling_staff | is_leadership)
rules.add_perm("screening.take", is_respondent)
rules.add_perm("screening.opt_out", is_guardian_of_respondent | is_director)
# The menu's "my children's questionnaires": a guardian's list of the campaigns notices.
rules.add_perm("screening.view_child_notices", has_role(Role.GUARDIAN))
# The printable sheet of class access codes: the counseling side, a class teacher their class.
rules.add_perm("screening.view_class_codes", is_counseling_staff | is_class_teacher)
# The menu's "my questionnaires": the people a campaign may invite (students and the school's
# teachers); which questionnaires are theirs is the participation's rule (screening.take).
rules.add_perm(
    "screening.take_questionnaires",
    has_role(
        Role.STUDENT,
        Role.COMMITTEE_MEMBER,
        Role.DORM_LIAISON,
        Role.DIRECTOR,
        Role.COUNSELOR,
        Role.DUTY,
        Role.CLASS_TEACHER,
        Role.GRADE_LEADER,
        Role.STUDENT_AFFAIRS,
        Role.SUPERVISOR,
        Role.PRINCIPAL,
        Role.VICE_PRINCIPAL,
    ),
)
# A scale given during a case (seed 003 效果评估 问卷调查): the case's counselors, or the
# director who reads the case; asked of the case.
rules.add_perm("screening.give_scale", is_case_counselor | (reads_case & is_director))
