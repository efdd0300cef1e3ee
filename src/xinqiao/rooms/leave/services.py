"""State changes of leave from a duty (seed 000): asked in advance, taking effect only once the
room's head (the director) approves it; the gap is filled with a substitute. Services trust
their caller to have decided permission (rooms/access.py); each is one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.rooms.models import DutyLog, DutyShift, LeaveRequest
from xinqiao.rooms.roster.services import check_free, describe_shift, put_on_shift
from xinqiao.rooms.selectors import directors_of


def _leave_url(leave: LeaveRequest) -> str:
    return reverse("rooms:leave_detail", args=[leave.pk])


def has_open_leave_request(*, shift: DutyShift, requester: User) -> bool:
    return LeaveRequest.objects.filter(
        shift=shift, requester=requester, state=LeaveRequest.State.REQUESTED
    ).exists()


@service
def leave_request(*, actor: User, shift: DutyShift, reason: str) -> LeaveRequest:
    """Ask for leave from one's own published, future shift (seed 000: in advance).

    The shift keeps its person until the director approves. A second open request for the same
    shift is refused, also when two arrive at the same instant (a database constraint).
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you cannot be on duty.")})
    if not shift.published:
        raise ValidationError(_("This duty is not on the published roster."))
    if shift.starts <= timezone.now():
        raise ValidationError(_("Leave is asked before the duty starts."))
    already = _("You have already asked for leave for this duty; the director has not decided yet.")
    if has_open_leave_request(shift=shift, requester=actor):
        raise ValidationError(already)
    try:
        with transaction.atomic():
            leave = LeaveRequest.objects.create(shift=shift, requester=actor, reason=reason)
            step_waiting(
                kind="leave",
                obj=leave,
                assignees=directors_of(shift.school_id),
                title=_("%(name)s asks for leave: %(shift)s")
                % {"name": actor.display_name, "shift": describe_shift(shift)},
                url=_leave_url(leave),
                school_id=shift.school_id,
            )
    except IntegrityError:  # the same request sent twice at once: the constraint keeps one
        raise ValidationError(already) from None
    return leave


def _locked_leave(leave: LeaveRequest) -> LeaveRequest:
    return (
        LeaveRequest.objects.select_for_update()
        .select_related("shift__room", "requester")
        .get(pk=leave.pk)
    )


@service
def leave_withdraw(*, actor: User, leave: LeaveRequest) -> LeaveRequest:
    leave = _locked_leave(leave)
    if leave.state != LeaveRequest.State.REQUESTED:
        raise ValidationError(_("Only a request still waiting for a decision can be withdrawn."))
    leave.state = LeaveRequest.State.WITHDRAWN
    leave.decided_at = timezone.now()
    leave.save(update_fields=["state", "decided_at"])
    step_done(obj=leave)
    return leave


@service
def leave_decide(
    *, actor: User, leave: LeaveRequest, approve: bool, note: str = ""
) -> LeaveRequest:
    """The director approves or refuses a leave request (a refusal says why).

    Only an approval takes effect: the shift loses its person and shows as a gap, to be
    filled with a substitute.
    """
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the leave is refused.")})
    with transaction.atomic():
        leave = _locked_leave(leave)
        if leave.state != LeaveRequest.State.REQUESTED:
            raise ValidationError(_("This request has been decided or withdrawn already."))
        leave.state = LeaveRequest.State.APPROVED if approve else LeaveRequest.State.REFUSED
        leave.decided_by = actor
        leave.decided_at = timezone.now()
        leave.decision_note = note
        leave.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        step_done(obj=leave)
        shift = DutyShift.objects.select_for_update().get(pk=leave.shift_id)
        if approve and shift.user_id == leave.requester_id:
            shift.user = None
            # Not a pattern shift any more: regenerating the roster must not undo the leave.
            shift.origin = DutyShift.Origin.EXCEPTION
            shift.save(update_fields=["user", "origin"])
            step_waiting(  # on the shift: filling it on the roster is done too
                kind="substitute",
                obj=shift,
                assignees=directors_of(shift.school_id),
                title=_("A duty needs a substitute: %(shift)s")
                % {"shift": describe_shift(leave.shift)},
                url=_leave_url(leave),
                school_id=shift.school_id,
            )
        title = (_("Leave approved: %(shift)s") if approve else _("Leave refused: %(shift)s")) % {
            "shift": describe_shift(leave.shift)
        }
        notify(
            recipients=[leave.requester],
            title=title,
            body=_("Open the request to read the director's note.") if note else "",
            url=_leave_url(leave),
            school_id=shift.school_id,
        )
    return leave


@service
def leave_assign_substitute(*, actor: User, leave: LeaveRequest, substitute: User) -> LeaveRequest:
    """Fill the gap an approved leave left with a person who is free at that time."""
    leave = _locked_leave(leave)
    if leave.state != LeaveRequest.State.APPROVED:
        raise ValidationError(_("A substitute is assigned once the leave is approved."))
    shift = DutyShift.objects.select_for_update().select_related("room").get(pk=leave.shift_id)
    if shift.user_id is not None and shift.user_id != leave.substitute_id:
        raise ValidationError(_("Someone else is on this duty already."))
    if DutyLog.objects.filter(shift=shift).exists():
        raise ValidationError(_("This duty has its log already; it cannot change hands."))
    previous = leave.substitute
    shift.user = None  # a change of substitute: the earlier one is free again
    check_free(substitute, shift)
    put_on_shift(shift, substitute, DutyShift.Origin.SUBSTITUTE)
    leave.substitute = substitute
    leave.save(update_fields=["substitute"])
    step_done(kind="substitute", obj=shift)
    notify(
        recipients=[substitute],
        title=_("You stand in on duty: %(shift)s") % {"shift": describe_shift(shift)},
        url=reverse("rooms:my_duties"),
        level=Notification.Level.ACTION,
        school_id=shift.school_id,
    )
    notify(
        recipients=[leave.requester],
        title=_("%(name)s stands in for you: %(shift)s")
        % {"name": substitute.display_name, "shift": describe_shift(shift)},
        url=_leave_url(leave),
        school_id=shift.school_id,
    )
    if previous is not None and previous.pk != substitute.pk:
        notify(
            recipients=[previous],
            title=_("You no longer stand in on duty: %(shift)s") % {"shift": describe_shift(shift)},
            url=reverse("rooms:my_duties"),
            school_id=shift.school_id,
        )
    return leave
