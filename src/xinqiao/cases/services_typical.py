"""Typical cases (issue 6 item 11; seed 001 典型案例): a closed case, with the guardian's consent,
becomes a de-identified teaching example (seed 000: "在研究和写作中需要引用学生的资料时，必须隐去
可能辨认出来访学生的有关信息"). The de-identification engine is core/deidentify.py; this module
says what in a case could identify its student.

Services are keyword-only and trust their caller: the getter and the view or API have decided that the actor may
do this (cases/access.py, cases/rules.py). Each service that takes an ``actor`` is a
``@service`` (core/history.py): one transaction, the actor recorded as the author in the change
history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import (
    Case,
    Consent,
    PlanMeasure,
    Severity,
    SupportPlan,
    TypicalCase,
)
from xinqiao.cases.services_consent import consent_in_force
from xinqiao.core.deidentify import (
    Identifier,
    deidentify,
    identifying_details,
    student_identifiers,
)
from xinqiao.core.deidentify_table import age_band, age_on, duration_weeks, grade_stage
from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import RoleAssignment


def identifiers_of(case: Case) -> list[Identifier]:
    """What could identify the student of ``case``: the student, the school's rooms, and the staff
    around the case (its counselors, who referred it, the class teachers); longest first."""
    from xinqiao.rooms.models import Room

    places: list[str] = []
    for room_name, location in Room.objects.filter(school_id=case.school_id).values_list(
        "name", "location"
    ):
        places += [room_name, location]
    student = case.student
    staff = {c.user for c in case.counselors.select_related("user")}
    if case.referred_by_id:
        staff.add(case.referred_by)
    if student.school_class_id:
        teacher_ids = (
            RoleAssignment.objects.in_force()
            .filter(school_class_id=student.school_class_id, role=Role.CLASS_TEACHER)
            .values("user_id")
        )
        staff |= set(User.objects.filter(pk__in=teacher_ids))
    return student_identifiers(student, places=places, staff=staff)


def identifying_details_left(typical: TypicalCase) -> list[str]:
    """What in the typical case's title and text could still identify the student (kinds)."""
    return identifying_details(f"{typical.title}\n{typical.text}", identifiers_of(typical.case))


def typical_draft(case: Case) -> tuple[str, str]:
    """A de-identified (title, text) built from the case: the problem, the nature of the problem,
    the plan's goals and kinds of measures, the stage summaries and the closing summary."""
    categories = [c.name for c in case.categories.all()]
    sections: list[tuple[str, str]] = [(_("The student"), student_outline(case))]
    sections.append((_("The problem"), case.problem))
    assessed = ", ".join(categories) or "—"
    if case.severity:
        assessed += " · " + _("severity: %(severity)s") % {
            "severity": Severity(case.severity).label
        }
    sections.append((_("Nature of the problem"), assessed))
    plan = (
        case.plans.filter(state__in=[SupportPlan.State.APPROVED, SupportPlan.State.SUPERSEDED])
        .order_by("-version")
        .first()
    )
    if plan is not None:
        kinds = []
        for kind in plan.measures.values_list("kind", flat=True):
            label = str(PlanMeasure.Kind(kind).label)
            if label not in kinds:
                kinds.append(label)
        sections.append((_("Goals of the support plan"), plan.goals))
        sections.append((_("Measures"), ", ".join(kinds) or "—"))
    for index, summary in enumerate(case.summaries.order_by("period_start", "id"), start=1):
        sections.append((_("Stage %(number)s") % {"number": index}, summary.summary))
    if case.closing_summary:
        sections.append((_("Closing summary"), case.closing_summary))
    identifiers = identifiers_of(case)
    text = "\n\n".join(f"【{heading}】\n{body.strip()}" for heading, body in sections)
    title = _("A case of %(category)s") % {"category": "、".join(categories) or _("counseling")}
    return deidentify(title, identifiers)[:100], deidentify(text, identifiers)


def student_outline(case: Case) -> str:
    """Who the student was and how long the work took, generalised as research exports are
    (core/deidentify_table.py): the school stage, a two-year age band, whole weeks."""
    student = case.student
    opened = timezone.localdate(case.opened_at)
    closed = timezone.localdate(case.closed_at) if case.closed_at else timezone.localdate()
    level = student.school_class.grade.level if student.school_class_id else None
    parts = []
    if level is not None:
        parts.append(grade_stage(level))
    age = age_on(student.birth_date, opened)
    if age is not None:
        parts.append(_("aged %(band)s") % {"band": age_band(age)})
    parts.append(
        _("about %(weeks)s weeks of support")
        % {"weeks": duration_weeks(opened, max(opened, closed))}
    )
    return "，".join(str(p) for p in parts)


# --- the workflow --------------------------------------------------------------------

TYPICAL_STATES = (Case.State.CLOSED, Case.State.ARCHIVED)


@service
def typical_mark(*, actor: User, case: Case) -> TypicalCase:
    """Mark a closed case as a teaching example (seed 001 典型案例). It starts as an unpublished,
    de-identified draft that only the case's counselors see until one of them publishes it.

    Seed 000: a case is used only with the consent of the person concerned — for a minor, the
    guardian's "use in teaching" consent, in force.
    """
    if case.state not in TYPICAL_STATES:
        raise ValidationError(_("Only a closed or archived case can become a typical case."))
    if case.brief_contact:
        raise ValidationError(_("A brief contact cannot become a typical case."))
    consent = consent_in_force(student=case.student, purpose=Consent.Purpose.TEACHING, case=case)
    if consent is None:
        raise ValidationError(
            _(
                "Using a case in teaching needs the guardian's consent. Record the consent to "
                "use in teaching first."
            )
        )
    title, text = typical_draft(case)
    category = case.categories.order_by("order", "name").first()
    try:
        with transaction.atomic():
            return TypicalCase.objects.create(
                school_id=case.school_id,
                case=case,
                consent=consent,
                title=title,
                category=category,
                text=text,
                marked_by=actor,
            )
    except IntegrityError:
        raise ValidationError(_("This case is already a typical case.")) from None


@service
def typical_edit(
    *,
    actor: User,
    typical: TypicalCase,
    title: str,
    text: str,
    category=None,
    publish: bool = False,
) -> TypicalCase:
    """The counselor reviews and edits the de-identified text, and may publish it at once.

    Editing a published example takes it back to draft unless it is published again; when
    publishing is refused nothing is saved.
    """
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise ValidationError(_("Give the typical case a title and a text."))
    if category is not None and category.school_id != typical.school_id:
        raise ValidationError({"category": _("Unknown category.")})
    typical = TypicalCase.objects.select_for_update().get(pk=typical.pk)
    typical.title, typical.text, typical.category = title[:100], text, category
    typical.published = False
    typical.save(update_fields=["title", "text", "category", "published"])
    if publish:
        typical = typical_publish(actor=actor, typical=typical)
    return typical


@service
def typical_publish(*, actor: User, typical: TypicalCase) -> TypicalCase:
    """Publish the example to the school's library of typical cases, only when the consent is
    still in force and nothing in the title or text identifies the student."""
    typical = (
        TypicalCase.objects.select_for_update().select_related("case__student").get(pk=typical.pk)
    )
    case = typical.case
    consent = consent_in_force(student=case.student, purpose=Consent.Purpose.TEACHING, case=case)
    if consent is None:
        raise ValidationError(_("The consent to use this case in teaching is no longer in force."))
    left = identifying_details_left(typical)
    if left:
        raise ValidationError(
            _("Remove what could identify the student before publishing: %(what)s.")
            % {"what": ", ".join(left)}
        )
    typical.consent = consent
    typical.published = True
    typical.save(update_fields=["consent", "published"])
    return typical


@service
def typical_unpublish(*, actor: User, typical: TypicalCase) -> TypicalCase:
    if typical.published:
        typical.published = False
        typical.save(update_fields=["published"])
    return typical
