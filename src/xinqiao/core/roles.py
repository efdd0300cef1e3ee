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

ROLE_DUTIES = {
    Role.ADMIN: _(
        "Runs the installation: schools, accounts, imports, backups. No counseling content."
    ),
    Role.PRINCIPAL: _(
        "Plans, approvals, funding, aggregate dashboards, crisis alerts for leadership."
    ),
    Role.VICE_PRINCIPAL: _("As the principal; convenes meetings and supervises the work."),
    Role.DIRECTOR: _(
        "Runs the rooms, rosters and leave, assigns cases, approves access, coordinates crises."
    ),
    Role.COUNSELOR: _("Cases assigned to you, sessions, notes, screening follow-up and referrals."),
    Role.DUTY: _("Phone intake, appointment registration and the duty log."),
    Role.CLASS_TEACHER: _(
        "Refer students, see actions asked of you for your class, class reports, lessons."
    ),
    Role.GRADE_LEADER: _("Sees and forwards the reports of the classes of your grade."),
    Role.STUDENT_AFFAIRS: _("Network coordination, activities, life-assistance measures."),
    Role.SUPERVISOR: _(
        "Checks that records exist and are complete, never their confidential content."
    ),
    Role.COMMITTEE_MEMBER: _("Sends the weekly class report upward."),
    Role.DORM_LIAISON: _("Sends the weekly dormitory report upward."),
    Role.STUDENT: _(
        "Book appointments, write letters, fill in questionnaires, see your bookings and replies."
    ),
    Role.GUARDIAN: _("Raise a concern about your child, see invitations and notices for you."),
    Role.DISTRICT: _("De-identified figures across schools, district campaigns and plans."),
}
