"""Intake, assessment and the assignment of counselors (seed 003 受理 → 评估), and the school's
classification list.

Services trust their caller: the getter and the view or API have decided that the actor may
do this (cases/access.py, cases/rules.py); a service checks only the case's state machine and
its input. Each service that takes an ``actor`` is a ``@service`` (core/history.py): one
transaction, the actor recorded as the author in the change history. People are told in-app
after commit; notifications name the case number and where to act, never what the case is about.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinqiao.cases.models import (
    Assessment,
    Case,
    CaseCounselor,
    ProblemCategory,
    Severity,
)
from xinqiao.cases.services_common import forget_counselors, lock_case, move_case, tell
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.crisis.models import Alert
from xinqiao.crisis.phrases import flag_danger
from xinqiao.people.models import School, Student
from xinqiao.people.selectors import holders_of


def categories_ensure_defaults(*, school: School) -> list[ProblemCategory]:
    """The classification list a school starts with (seed 003 问题的性质); the director edits it.

    The names are the school's data, written in the school's language: a page opened in
    English does not add them a second time in English.
    """
    with translation.override(settings.LANGUAGE_CODE):
        existing = set(ProblemCategory.objects.filter(school=school).values_list("name", flat=True))
        ProblemCategory.objects.bulk_create(
            ProblemCategory(school=school, name=str(label), order=index)
            for index, (_code, label) in enumerate(ProblemCategory.DEFAULTS)
            if str(label) not in existing
        )
    return list(ProblemCategory.objects.filter(school=school))


@service
def category_save(
    *, actor: User, school: School, name: str, order: int, is_active: bool, category=None
) -> ProblemCategory:
    name = name.strip()
    clash = ProblemCategory.objects.filter(school=school, name=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if not name or clash.exists():
        raise ValidationError(_("Each category needs a name of its own."))
    category = category or ProblemCategory(school=school)
    category.name, category.order, category.is_active = name, order, is_active
    category.save()
    return category


# --- intake -----------------------------------------------------------------------------------
def _next_case_number(school: School) -> str:
    year = timezone.localdate().year
    prefix = f"{year}-"
    numbers = Case.objects.filter(school=school, number__startswith=prefix).values_list(
        "number", flat=True
    )
    highest = max((int(n.removeprefix(prefix)) for n in numbers if n[5:].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


@service
def case_open(
    *,
    actor: User | None,
    student: Student,
    channel: str,
    problem: str,
    background: str = "",
    brought_by: str = "",
    urgency: str = Case.Urgency.NORMAL,
    referred_by: User | None = None,
    source_object: models.Model | None = None,
    submission_key: str | None = None,
) -> Case:
    """Record an intake from any channel (seed 003 受理渠道); the director is told at once.

    The same form sent twice (same ``submission_key``) stores one case.
    """
    if not problem.strip():
        raise ValidationError(_("Describe the problem in a few sentences."))
    if channel not in Case.Channel.values or urgency not in Case.Urgency.values:
        raise ValidationError(_("Unknown channel or urgency."))
    if submission_key:
        existing = Case.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    school = student.school
    for _attempt in range(3):
        try:
            with transaction.atomic():
                School.objects.select_for_update().filter(pk=school.pk).first()
                case = Case.objects.create(
                    school=school,
                    student=student,
                    number=_next_case_number(school),
                    channel=channel,
                    brought_by=brought_by.strip(),
                    referred_by=referred_by,
                    problem=problem.strip(),
                    background=background.strip(),
                    urgency=urgency,
                    source_type=source_object._meta.label if source_object is not None else "",
                    source_id=str(source_object.pk) if source_object is not None else "",
                    opened_by=actor,
                    submission_key=submission_key or None,
                )
                if actor is not None and actor.has_role(Role.COUNSELOR, school_id=school.pk):
                    # The counselor who takes an intake holds it until the assessment says more.
                    CaseCounselor.objects.create(
                        case=case, user=actor, is_lead=True, assigned_by=actor
                    )
                directors = holders_of(school.pk, Role.DIRECTOR)
                level = (
                    Notification.Level.URGENT
                    if urgency == Case.Urgency.URGENT
                    else Notification.Level.ACTION
                )
                tell(directors, case, _("New intake %(number)s") % {"number": case.number}, level)
                if source_object is None:  # an intake or alert it came from was checked there
                    _flag_danger(actor, case)
            return case
        except IntegrityError:
            if submission_key and Case.objects.filter(submission_key=submission_key).exists():
                return Case.objects.get(submission_key=submission_key)
    raise ValidationError(_("The intake could not be numbered; please send it again."))


# Intakes whose words are checked for danger phrases, and the alert source each becomes.
DANGER_CHECKED_CHANNELS = {
    Case.Channel.TEACHER_REFERRAL: Alert.Source.TEACHER,
    Case.Channel.GUARDIAN: Alert.Source.GUARDIAN,
    Case.Channel.WALK_IN: Alert.Source.WALK_IN,
    Case.Channel.DUTY_PHONE: Alert.Source.DUTY_PHONE,
}


def _flag_danger(actor: User | None, case: Case) -> None:
    """A referral or concern that says a danger phrase (crisis/phrases.py) raises an alert at
    once instead of waiting as an ordinary intake (issue 14: "作文里写想死")."""
    source = DANGER_CHECKED_CHANNELS.get(case.channel)
    if source is not None:
        text = "\n".join(part for part in (case.problem, case.background) if part)
        flag_danger(
            actor=actor,
            school=case.school,
            text=text,
            source=source,
            source_object=case,
            student=case.student,
        )


@service
def case_answer_briefly(*, actor: User, case: Case, answer: str) -> Case:
    """Close an intake that was answered at once as a brief contact (seed 003 需求受理 2)."""
    if not answer.strip():
        raise ValidationError(_("Write what was answered."))
    locked = lock_case(case)
    move_case(locked, Case.State.CLOSED)
    locked.brief_contact = True
    locked.closing_summary = answer.strip()
    locked.closed_at, locked.closed_by = timezone.now(), actor
    locked.save()
    _assign(locked, actor, lead=actor, others=(), if_none_only=True)
    forget_counselors(case)
    return locked


# --- assessment and counselors ------------------------------------------------------------------
def _assign(case: Case, actor: User, *, lead: User, others: Sequence[User], if_none_only=False):
    if if_none_only and case.counselors.exists():
        return
    allowed = set(holders_of(case.school_id, *COUNSELING_ROLES).values_list("pk", flat=True))
    for person in (lead, *others):
        if person.pk not in allowed:
            raise ValidationError(
                _("%(name)s is not counseling staff of this school.") % {"name": person}
            )
    before = set(case.counselors.values_list("user_id", flat=True))
    case.counselors.update(is_lead=False)
    wanted = {lead.pk: True, **{o.pk: False for o in others if o.pk != lead.pk}}
    case.counselors.exclude(user_id__in=wanted).delete()
    for user_id, is_lead in wanted.items():
        CaseCounselor.objects.update_or_create(
            case=case, user_id=user_id, defaults={"is_lead": is_lead, "assigned_by": actor}
        )
    new = [u for u in (lead, *others) if u.pk not in before and u.pk != actor.pk]
    tell(new, case, _("Case %(number)s is assigned to you") % {"number": case.number})


@service
def counselors_assign(*, actor: User, case: Case, lead: User, others: Sequence[User] = ()) -> Case:
    locked = lock_case(case)
    if not locked.is_open:
        raise ValidationError(_("A closed case keeps its counselors."))
    _assign(locked, actor, lead=lead, others=others)
    forget_counselors(case)
    return locked


@service
def case_assess(
    *,
    actor: User,
    case: Case,
    severity: str,
    categories: Sequence[ProblemCategory],
    measures_needed: str,
    notes: str = "",
    lead: User,
    others: Sequence[User] = (),
) -> Assessment:
    """Record the needs assessment (seed 003 需求评估); serious or several-sided problems need a
    case conference before a plan is approved."""
    if severity not in Severity.values:
        raise ValidationError(_("Choose how serious the problem is."))
    if not categories:
        raise ValidationError(_("Choose the nature of the problem."))
    if any(c.school_id != case.school_id for c in categories):
        raise ValidationError(_("Unknown category."))
    if not measures_needed.strip():
        raise ValidationError(_("Say which measures are likely needed."))
    locked = lock_case(case)
    if locked.state == Case.State.INTAKE:
        move_case(locked, Case.State.ASSESSING)
    elif locked.state != Case.State.ASSESSING:
        raise ValidationError(_("Only a case at intake or in assessment can be assessed."))
    requires_conference = severity != Severity.GENERAL or len(categories) > 1
    assessment, _created = Assessment.objects.update_or_create(
        case=locked,
        defaults={
            "severity": severity,
            "measures_needed": measures_needed.strip(),
            "notes": notes.strip(),
            "requires_conference": requires_conference,
            "assessed_by": actor,
            "assessed_at": timezone.now(),
        },
    )
    locked.severity = severity
    locked.save()
    locked.categories.set(categories)
    _assign(locked, actor, lead=lead, others=others)
    forget_counselors(case)
    return assessment
