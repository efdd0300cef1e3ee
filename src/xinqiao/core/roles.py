"""The roles of DESIGN.md ("Who uses it"): code names in English, labels in the UI language."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    PRINCIPAL = "principal", _("Principal")
    VICE_PRINCIPAL = "vice_principal", _("Vice principal in charge")
    DIRECTOR = "director", _("Counseling center director")
    COUNSELOR = "counselor", _("Counselor")
    DUTY = "duty", _("Duty staff")
    CLASS_TEACHER = "class_teacher", _("Class teacher")
    GRADE_LEADER = "grade_leader", _("Grade leader")
    STUDENT_AFFAIRS = "student_affairs", _("Student affairs")
    SUPERVISOR = "supervisor", _("Supervision group member")
    COMMITTEE_MEMBER = "committee_member", _("Class mental-health committee member")
    DORM_LIAISON = "dorm_liaison", _("Dormitory liaison")
    STUDENT = "student", _("Student")
    GUARDIAN = "guardian", _("Guardian")
    DISTRICT = "district", _("District counseling center")


# Roles held by pupils and families: longer sessions on their own phones, no idle sign-out.
PUPIL_AND_FAMILY_ROLES = frozenset(
    {Role.STUDENT, Role.GUARDIAN, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON}
)
# Roles that read confidential counseling material (DESIGN.md principle 1).
COUNSELING_ROLES = frozenset({Role.DIRECTOR, Role.COUNSELOR})
LEADERSHIP_ROLES = frozenset({Role.PRINCIPAL, Role.VICE_PRINCIPAL})
# Roles that are not tied to one school.
INSTALLATION_ROLES = frozenset({Role.ADMIN, Role.DISTRICT})

# What each role does here today, under its workbench (the home page promises nothing more).
ROLE_DUTIES = {
    Role.ADMIN: _(
        "Runs the installation: schools, accounts, imports, backups. No counseling content."
    ),
    Role.PRINCIPAL: _(
        "The school's figures (cases, room hours, alerts) and the crisis alerts escalated to "
        "leadership; refer a student."
    ),
    Role.VICE_PRINCIPAL: _(
        "As the principal: the school's figures and the crisis alerts escalated to leadership."
    ),
    Role.DIRECTOR: _(
        "Runs the rooms, rosters and leave, assigns cases, approves access, coordinates crises."
    ),
    Role.COUNSELOR: _("Cases assigned to you, sessions, notes, screening follow-up and referrals."),
    Role.DUTY: _("Phone intake, appointment registration and the duty log."),
    Role.CLASS_TEACHER: _(
        "Refer students, see the measures asked of you and your class's weekly reports."
    ),
    Role.GRADE_LEADER: _("Sees and forwards the reports of the classes of your grade."),
    Role.STUDENT_AFFAIRS: _(
        "The work network's reports and alerts, and the measures asked of you (life assistance)."
    ),
    Role.SUPERVISOR: _(
        "Checks that records exist and are complete, never their confidential content."
    ),
    Role.COMMITTEE_MEMBER: _("Sends the weekly class report upward."),
    Role.DORM_LIAISON: _("Sends the weekly dormitory report upward."),
    Role.STUDENT: _(
        "Book appointments, write letters, fill in questionnaires, see your bookings and replies."
    ),
    Role.GUARDIAN: _(
        "Raise a concern about your child, ask for their records, read the notices sent to you."
    ),
    Role.DISTRICT: _("The district's schools and de-identified research exports."),
}
