"""Access grants (查阅授权, issue 16 item 1): ask, approve (perhaps narrowed), refuse, revoke,
withdraw. Seed 000: 未经负责人同意，值班人员严禁随意翻阅心理咨询室存放的材料和文件.

Each state change is one transaction with its change history (``service``); the notices name
the grant's number, never the reason, the note or the student of a case (the requester of a
case grant learns the student only by reading the case once it is approved).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import AccessGrant, Case
from xinqiao.cases.models.grant import parts_text
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.people.models import Student
from xinqiao.people.selectors import holders_of

DECISION_STEP = "access_grant_decision"
# Who may ask: the school's staff. Not pupils or families, not the installation's roles, not
# the supervision group (which inspects that records exist, never their content).
REQUESTER_ROLES = (
    Role.COUNSELOR,
    Role.DUTY,
    Role.CLASS_TEACHER,
    Role.GRADE_LEADER,
    Role.STUDENT_AFFAIRS,
    Role.PRINCIPAL,
    Role.VICE_PRINCIPAL,
)


def may_request_at(user: User, school_id: int) -> bool:
    return user.has_role(*REQUESTER_ROLES, school_id=school_id)


def _check_period(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": _("The end must be in the future.")})
    # Counted in calendar days: "until the 30th day" is allowed, whatever the hour asked.
    longest = datetime.timedelta(days=settings.ACCESS_GRANT_MAX_DAYS)
    if timezone.localdate(ends_at) - timezone.localdate(starts_at) > longest:
        raise ValidationError(
            {
                "ends_at": _("A grant lasts at most %(days)s days.")
                % {"days": settings.ACCESS_GRANT_MAX_DAYS}
            }
        )


def _already_reads(actor: User, *, case: Case | None, student: Student) -> bool:
    if actor.has_role(Role.DIRECTOR, school_id=student.school_id):
        return True
    if case is not None:
        return case.read_whole_by(actor)
    return False


@service
def grant_request(
    *,
    actor: User,
    reason: str,
    ends_at: datetime.datetime,
    parts,
    case: Case | None = None,
    student: Student | None = None,
    starts_at: datetime.datetime | None = None,
) -> AccessGrant:
    """Ask the director for a read-only look at ``case`` or at ``student``'s file; the
    director(s) of the school are told and the decision waits on their list."""
    if (case is None) == (student is None):
        raise ValidationError(_("Ask for one case or for one student's file."))
    student = case.student if case is not None else student
    school_id = student.school_id
    if not may_request_at(actor, school_id):
        raise ValidationError(_("Only a staff member of the school may ask for access."))
    if _already_reads(actor, case=case, student=student):
        raise ValidationError(_("You already read this without a grant."))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError(
            {"reason": _("Write why you need to read it (at least 5 characters).")}
        )
    parts = set(parts or ())
    if not parts:
        raise ValidationError({"parts": _("Choose at least one part.")})
    now = timezone.now()
    starts_at = max(starts_at or now, now)
    _check_period(starts_at, ends_at)
    kind = AccessGrant.Kind.CASE if case is not None else AccessGrant.Kind.FILE
    try:
        with transaction.atomic():
            grant = AccessGrant.objects.create(
                school_id=school_id,
                requester=actor,
                kind=kind,
                case=case,
                student=student,
                reason=reason,
                starts_at=starts_at,
                ends_at=ends_at,
                expires_at=ends_at,
                parts_requested=parts_text(parts),
            )
    except IntegrityError as error:
        raise ValidationError(
            _("You have already asked for this; the request waits for the director.")
        ) from error
    step_waiting(
        kind=DECISION_STEP,
        obj=grant,
        assignees=holders_of(school_id, Role.DIRECTOR),
        title=_("%(name)s asks for access (request #%(number)s)")
        % {"name": actor.display_name, "number": grant.pk},
        url=reverse("cases:grant_decide", args=[grant.pk]),
        school_id=school_id,
    )
    return grant


def _lock(grant: AccessGrant) -> AccessGrant:
    return AccessGrant.objects.select_for_update().get(pk=grant.pk)


def _move(grant: AccessGrant, state: str) -> None:
    if not grant.can_become(state):
        raise ValidationError(
            _("A request that is %(state)s cannot become %(to)s.")
            % {"state": grant.status_label, "to": AccessGrant.State(state).label}
        )
    grant.state = state


def _require_director(actor: User, grant: AccessGrant) -> None:
    if not actor.has_role(Role.DIRECTOR, school_id=grant.school_id):
        raise ValidationError(_("Only the director of the school decides access requests."))


def _tell_requester(grant: AccessGrant, title: str) -> None:
    notify(
        recipients=[grant.requester],
        title=title,
        url=reverse("cases:grant_mine"),
        level=Notification.Level.INFO,
        school_id=grant.school_id,
    )


@service
def grant_approve(
    *,
    actor: User,
    grant: AccessGrant,
    parts=None,
    ends_at: datetime.datetime | None = None,
    note: str = "",
) -> AccessGrant:
    """Approve, perhaps for fewer parts and a shorter time than asked (never more)."""
    _require_director(actor, grant)
    grant = _lock(grant)
    _move(grant, AccessGrant.State.APPROVED)
    granted = set(grant.requested_parts if parts is None else parts)
    if not granted:
        raise ValidationError({"parts": _("Choose at least one part.")})
    if not granted <= grant.requested_parts:
        raise ValidationError({"parts": _("A grant cannot open parts that were not asked for.")})
    ends_at = ends_at or grant.ends_at
    if ends_at > grant.ends_at:
        raise ValidationError({"ends_at": _("A grant can be shortened, never lengthened.")})
    if ends_at <= max(timezone.now(), grant.starts_at):
        raise ValidationError({"ends_at": _("The end must be in the future.")})
    grant.parts_granted = parts_text(granted)
    grant.expires_at = ends_at
    grant.decided_by, grant.decided_at = actor, timezone.now()
    grant.decision_note = (note or "").strip()
    grant.save()
    step_done(obj=grant, kind=DECISION_STEP)
    _tell_requester(
        grant,
        _("Your access request #%(number)s is approved until %(until)s")
        % {"number": grant.pk, "until": timezone.localtime(ends_at).strftime("%Y-%m-%d %H:%M")},
    )
    return grant


@service
def grant_refuse(*, actor: User, grant: AccessGrant, note: str) -> AccessGrant:
    _require_director(actor, grant)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the request is refused.")})
    grant = _lock(grant)
    _move(grant, AccessGrant.State.REFUSED)
    grant.decided_by, grant.decided_at, grant.decision_note = actor, timezone.now(), note
    grant.save()
    step_done(obj=grant, kind=DECISION_STEP)
    _tell_requester(grant, _("Your access request #%(number)s is refused") % {"number": grant.pk})
    return grant


@service
def grant_revoke(*, actor: User, grant: AccessGrant) -> AccessGrant:
    """End a grant at once: the requester's next request is refused."""
    _require_director(actor, grant)
    grant = _lock(grant)
    if grant.expired:
        raise ValidationError(_("This grant has already ended."))
    _move(grant, AccessGrant.State.REVOKED)
    grant.revoked_by, grant.revoked_at = actor, timezone.now()
    grant.save()
    _tell_requester(grant, _("Your access grant #%(number)s is revoked") % {"number": grant.pk})
    return grant


@service
def grant_withdraw(*, actor: User, grant: AccessGrant) -> AccessGrant:
    """The requester takes back a request the director has not decided."""
    if grant.requester_id != actor.pk:
        raise ValidationError(_("Only the person who asked may withdraw the request."))
    grant = _lock(grant)
    _move(grant, AccessGrant.State.WITHDRAWN)
    grant.save()
    step_done(obj=grant, kind=DECISION_STEP)
    return grant


def request_target(
    user: User, *, kind: str, case_number: str = "", student_number: str = ""
) -> Case | Student | None:
    """The case (by its number) or the student (by their number) of a school where ``user``
    may ask; None when there is none. A case is found by its number alone: the answer says
    nothing about any student."""
    schools = [s for s in user.school_ids if may_request_at(user, s)]
    if kind == AccessGrant.Kind.CASE:
        return (
            Case.objects.filter(school_id__in=schools, number=case_number.strip())
            .select_related("student")
            .first()
        )
    return Student.objects.filter(
        school_id__in=schools, student_number=student_number.strip()
    ).first()


def grants_of_requester(user: User):
    return (
        AccessGrant.objects.for_user(user)
        .filter(requester_id=user.pk)
        .select_related("case", "student", "decided_by")
    )


def grants_to_decide(user: User):
    """The grants of the schools ``user`` directs (the director's list)."""
    return (
        AccessGrant.objects.for_user(user)
        .filter(school_id__in=user.school_ids_with(Role.DIRECTOR))
        .select_related("requester", "case", "student__school_class", "decided_by")
    )
