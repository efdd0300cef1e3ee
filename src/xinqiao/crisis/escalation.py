"""Escalation of an alert along the school's own work network, step by step, until someone
acknowledges it (seed 002: the network reports upward in time; seed 000: danger to self or
others is reported at once to those who can act).

The chain of each level (``CHAINS``): first the director and the student's counselors (for
危机 also the principal and the vice principal in charge), then the principal and the vice
principal, then the whole leadership group and student affairs; past the top, everyone told is
reminded (``REMINDER_ROUNDS``). The student's class teacher is told at the first step what to
do, never why. A step not acknowledged before its deadline
(``EscalationPolicy``, per school) tells the next: a task is scheduled at each deadline
(``advance_alert_escalation``, within seconds of it), and the sweep (``escalate_due_alerts``,
run every minute by crisis/tasks.py) catches whatever a killed worker dropped. Both claim the
due step with a conditional UPDATE and every notice is unique per alert, person and step: a
step is told once, whatever runs it twice.

Other parts call ``escalation_open`` (raise_alert does), ``escalate_due_alerts`` and read
``alert_timeline``; acknowledging is ``crisis.services.alert_acknowledge``: once the alert has
left ``raised``, nothing escalates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqiao.core.access_log import record_access
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.crisis.disclosures import by_recipient_kind, names_of, record_disclosure
from xinqiao.crisis.models import (
    Alert,
    AlertEscalation,
    AlertNotice,
    Disclosure,
    EscalationPolicy,
)
from xinqiao.crisis.recipients import counselors_for
from xinqiao.people.models import RoleAssignment, WorkGroup, WorkGroupMember
from xinqiao.people.selectors import holders_of

Told = AlertNotice.Role
_FIRST = (Told.DIRECTOR, Told.COUNSELOR)
_LEADERS = (Told.PRINCIPAL, Told.VICE_PRINCIPAL)
_NETWORK = (Told.LEADERSHIP_GROUP, Told.STUDENT_AFFAIRS)
CHAINS: dict[str, tuple[tuple[str, ...], ...]] = {
    Alert.RiskLevel.CRISIS: (_FIRST + _LEADERS, _NETWORK),
    Alert.RiskLevel.HIGH: (_FIRST, _LEADERS, _NETWORK),
    Alert.RiskLevel.CONCERN: (_FIRST, _LEADERS, _NETWORK),
}

# Once the top of the network has been told, everyone told is reminded at each deadline, this
# many times, until someone acknowledges.
REMINDER_ROUNDS = 3


def last_step(alert: Alert) -> int:
    return len(CHAINS[alert.risk_level]) + REMINDER_ROUNDS - 1


# What the class teacher is asked to do: neutral words, nothing of what was said or seen.
INSTRUCTIONS = {
    Alert.RiskLevel.CRISIS: gettext_lazy(
        "Keep %(student)s in sight now and bring them to the counseling room, or stay with "
        "them until a counselor comes."
    ),
    Alert.RiskLevel.HIGH: gettext_lazy(
        "Keep %(student)s in sight today; a counselor will contact you before the end of the day."
    ),
    Alert.RiskLevel.CONCERN: gettext_lazy(
        "A counselor will contact you about %(student)s this week; let them take part in class "
        "as usual."
    ),
}


def instruction_for(alert: Alert) -> str:
    return str(INSTRUCTIONS[alert.risk_level]) % {"student": alert.student.name}


def _class_teachers(alert: Alert) -> QuerySet[User]:
    if alert.student is None or alert.student.school_class_id is None:
        return User.objects.none()
    posts = RoleAssignment.objects.in_force().filter(
        school_id=alert.school_id,
        role=Role.CLASS_TEACHER,
        school_class_id=alert.student.school_class_id,
    )
    return User.objects.filter(pk__in=posts.values("user_id"), is_active=True)


def _people(alert: Alert, told_as: str) -> QuerySet[User]:
    """Who holds the post ``told_as`` names for this alert now."""
    if told_as == Told.COUNSELOR:
        return counselors_for(school_id=alert.school_id, student_id=alert.student_id)
    if told_as == Told.LEADERSHIP_GROUP:
        members = WorkGroupMember.objects.filter(
            group__school_id=alert.school_id, group__kind=WorkGroup.Kind.LEADERSHIP
        )
        return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
            "full_name", "username"
        )
    return holders_of(alert.school_id, told_as)


def _staff_message(alert: Alert, step: int) -> dict:
    who = alert.student.name if alert.student is not None else alert.person_description
    level = alert.get_risk_level_display()
    if step == 0:
        title = _("Alert (%(level)s): %(who)s") % {"level": level, "who": who}
        body = _("Raised from: %(source)s. Open the alert and acknowledge it.") % {
            "source": alert.get_source_display()
        }
    elif step >= len(CHAINS[alert.risk_level]):
        title = _("Still not acknowledged (%(level)s): %(who)s") % {"level": level, "who": who}
        body = _(
            "Nobody has acknowledged this alert since %(time)s, and the whole network has been "
            "told. Open it and make sure someone takes charge."
        ) % {"time": timezone.localtime(alert.raised_at).strftime("%Y-%m-%d %H:%M")}
    else:
        title = _("Not acknowledged in time (%(level)s): %(who)s") % {"level": level, "who": who}
        body = _(
            "Nobody has acknowledged this alert since %(time)s; you are told as the next level "
            "of the school's network. Open it and make sure someone takes charge."
        ) % {"time": timezone.localtime(alert.raised_at).strftime("%Y-%m-%d %H:%M")}
    return {"title": title, "body": body, "url": reverse("crisis:alert_detail", args=[alert.pk])}


def _plan(alert: Alert, step: int) -> list[tuple[User, str]]:
    """Who ``step`` tells, as what: the posts of the chain not told before; past the top of
    the network, everyone told before (the class teacher aside) once more."""
    earlier = AlertNotice.objects.filter(alert=alert).exclude(recipient=None)
    chain = CHAINS[alert.risk_level]
    if step >= len(chain):
        first = earlier.exclude(role=Told.CLASS_TEACHER).filter(step__lt=len(chain))
        return [(n.recipient, n.role) for n in first.select_related("recipient")]
    already = set(earlier.values_list("recipient_id", flat=True))
    plan: list[tuple[User, str]] = []
    for told_as in chain[step]:
        for user in _people(alert, told_as):
            if user.pk not in already:
                already.add(user.pk)
                plan.append((user, told_as))
    if step == 0:
        plan += [(u, Told.CLASS_TEACHER) for u in _class_teachers(alert) if u.pk not in already]
    return plan


def _tell(alert: Alert, step: int, *, now: datetime.datetime, actor: User | None) -> int:
    """Tell the people of ``step``; returns how many were told."""
    plan = _plan(alert, step)
    if not plan:
        return 0
    staff = _staff_message(alert, step)
    notices = []
    for user, told_as in plan:
        if told_as == Told.CLASS_TEACHER:
            message = {
                "title": _("Asked of you: %(student)s") % {"student": alert.student.name},
                "body": instruction_for(alert),
                "url": reverse("crisis:my_instructions"),
            }
        else:
            # About the alert: acknowledging this notice (in-app, by the link in an e-mail or a
            # group robot's message) acknowledges the alert (services.alert_notice_acknowledged).
            message = {**staff, "about": alert}
        (notification,) = notify(
            recipients=[user],
            level=Notification.Level.URGENT,
            school_id=alert.school_id,
            **message,
        )
        notices.append(
            AlertNotice(
                alert=alert,
                recipient=user,
                recipient_name=user.display_name,
                step=step,
                role=told_as,
                told_at=now,
                notification=notification,
            )
        )
    # The unique constraint (alert, person, step) refuses a second telling: the transaction
    # fails whole rather than tell anyone twice.
    AlertNotice.objects.bulk_create(notices)
    # Safety overrides secrecy, narrowly (DESIGN principle 2): the disclosure is recorded.
    record_access(
        actor=actor,
        action="disclose",
        obj=alert,
        basis=f"alert step {step}; told: " + ", ".join(sorted(u.username for u, _r in plan)),
    )
    _register_disclosures(alert, step, plan, actor=actor)
    return len(plan)


def _register_disclosures(alert: Alert, step: int, plan, *, actor: User | None) -> None:
    """Each step's telling goes into the disclosure register (issue 14 item 5), grouped by the
    kind of person told; the class teacher's entry says they learnt what to do, never why. The
    notices' unique constraint keeps a step from being told, and so registered, twice."""
    why = _("Alert raised from: %(source)s (step %(step)s of its escalation)") % {
        "source": alert.get_source_display(),
        "step": step,
    }
    common = {
        "actor": actor,
        "school_id": alert.school_id,
        "student": alert.student,
        "alert": alert,
        "why": why,
        "ground": Disclosure.Ground.SAFETY,
    }
    staff = [user for user, told_as in plan if told_as != Told.CLASS_TEACHER]
    for kind, told in by_recipient_kind(staff, alert.school_id).items():
        record_disclosure(
            recipient_kind=kind,
            recipient=names_of(told),
            what=_("That the student may be in danger (%(level)s), and the alert's source")
            % {"level": alert.get_risk_level_display()},
            **common,
        )
    teachers = [user for user, told_as in plan if told_as == Told.CLASS_TEACHER]
    if teachers:
        record_disclosure(
            recipient_kind=Disclosure.RecipientKind.SCHOOL_STAFF,
            recipient=names_of(teachers),
            what=_("What to do for the student now; not why"),
            **common,
        )


def _next_due(alert: Alert, step: int, now: datetime.datetime) -> datetime.datetime | None:
    if step >= last_step(alert):
        return None  # told and reminded to the top; the board shows it overdue
    return EscalationPolicy.for_school(alert.school_id).deadline(alert.risk_level, now)


def _schedule_advance(escalation_id: int, step: int, due_at: datetime.datetime | None) -> None:
    """Once committed, queue the task that tells the step after ``step`` at its deadline."""
    if due_at is not None:
        transaction.on_commit(lambda: _queue_advance(escalation_id, step, due_at))


def _queue_advance(escalation_id: int, step: int, due_at: datetime.datetime) -> None:
    from xinqiao.crisis.tasks import advance_alert_escalation

    # A second late, so that a worker whose clock is a little behind finds the step due; an
    # aware time is turned into the queue's local time by huey (HUEY["utc"] is False).
    advance_alert_escalation.schedule(
        args=(escalation_id, step), eta=due_at + datetime.timedelta(seconds=1)
    )


def escalation_open(*, alert: Alert, actor: User | None) -> int:
    """The first step of a new alert (called by ``raise_alert`` in its transaction): tell the
    first people now and set the deadline of the next step. Returns how many were told."""
    now = alert.raised_at
    escalation = AlertEscalation.objects.create(
        alert=alert, step=0, due_at=_next_due(alert, 0, now)
    )
    _schedule_advance(escalation.pk, 0, escalation.due_at)
    return _tell(alert, 0, now=now, actor=actor)


def escalation_advance(*, escalation_id: int, from_step: int, now: datetime.datetime) -> int:
    """Tell the next step of one alert whose step ``from_step`` is due and unacknowledged.

    The step is claimed by a conditional UPDATE (and the row locked on PostgreSQL): of two
    workers running it at once, one tells and the other finds it taken. A step whose posts
    are empty (no leadership group set up) passes on to the next at once. Returns how many
    people were told.
    """
    with transaction.atomic():
        escalation = (
            AlertEscalation.objects.select_for_update(of=("self",))
            .filter(pk=escalation_id, step=from_step, due_at__lte=now)
            .first()
        )
        if escalation is None:
            return 0
        alert = Alert.objects.select_related("student").get(pk=escalation.alert_id)
        if alert.state != Alert.State.RAISED:
            return 0
        claimed = AlertEscalation.objects.filter(pk=escalation.pk, step=from_step).update(
            step=from_step + 1
        )
        if not claimed:
            return 0
        step, told = from_step + 1, 0
        while True:
            told = _tell(alert, step, now=now, actor=None)
            if told or step >= last_step(alert):
                break
            step += 1
        due_at = _next_due(alert, step, now)
        AlertEscalation.objects.filter(pk=escalation.pk).update(step=step, due_at=due_at)
        _schedule_advance(escalation.pk, step, due_at)
        return told


def escalate_due_alerts(*, now: datetime.datetime | None = None) -> int:
    """Every unacknowledged alert whose deadline has passed tells its next step (the task
    queue runs this every minute as the safety net of the tasks scheduled at each deadline;
    tests pass ``now``). Returns how many people were told."""
    now = now or timezone.now()
    due = (
        AlertEscalation.objects.filter(due_at__lte=now, alert__state=Alert.State.RAISED)
        .order_by("due_at")
        .values_list("pk", "step")
    )
    return sum(
        escalation_advance(escalation_id=pk, from_step=step, now=now) for pk, step in list(due)
    )


# --- the timeline ------------------------------------------------------------------------------
@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "event" (a state change) or "notice" (people told at one step)
    label: str
    by: str = ""
    state: str = ""
    note: str = ""
    step: int | None = None
    told: list[str] = field(default_factory=list)


def _step_label(alert: Alert, step: int) -> str:
    if step == 0:
        return _("Told at once")
    if step >= len(CHAINS[alert.risk_level]):
        return _("Still not acknowledged: everyone told is reminded (step %(step)s)") % {
            "step": step
        }
    return _("Not acknowledged in time: escalated to the next level (step %(step)s)") % {
        "step": step
    }


def alert_timeline(alert: Alert) -> list[TimelineEntry]:
    """Every state change and every step of people told, in time order (a step's notices
    together). A state change's ``note`` is confidential: the page shows it to the counseling
    staff only."""
    states = dict(Alert.State.choices)
    entries = [
        TimelineEntry(
            at=event.at,
            kind="event",
            label=_("Raised")
            if not event.from_state
            else states.get(event.to_state, event.to_state),
            by=event.actor.display_name if event.actor else event.actor_username,
            state=event.to_state,
            note=event.note,
        )
        for event in alert.events.select_related("actor")
    ]
    steps: dict[tuple[int, datetime.datetime], list[AlertNotice]] = defaultdict(list)
    for notice in alert.notices.all():
        steps[(notice.step, notice.told_at)].append(notice)
    for (step, at), notices in steps.items():
        entries.append(
            TimelineEntry(
                at=at,
                kind="notice",
                label=_step_label(alert, step),
                step=step,
                told=[f"{n.recipient_name} ({n.get_role_display()})" for n in notices],
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind == "notice"))
    return entries
