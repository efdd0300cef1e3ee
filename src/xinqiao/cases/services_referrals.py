"""Referral and typical cases (issue 6 items 7 and 11), and the school's directory of outside
services. Consent (item 8) is in services_consent.py.

Seed 000: a counselor refers what is beyond them (转介) to another counselor or to a service
outside the school; "由于专业工作需要采用案例，必须征得当事人同意"; "在研究和写作中需要引用学生
的资料时，必须隐去可能辨认出来访学生的有关信息". Seed 001: consultations are classified into
typical cases (典型案例). DESIGN.md principle 3: guardian consent for minors.

Services are atomic and keyword-only; permissions are checked by the views (cases/rules.py).
Notifications name the case number and where to act, never what the case is about.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinqiao.cases.models import (
    Case,
    CaseCounselor,
    Consent,
    OutsideService,
    PlanMeasure,
    Referral,
    Severity,
    SupportPlan,
    TypicalCase,
)
from xinqiao.cases.services import counselors_of, staff_with_role
from xinqiao.cases.services_consent import consent_in_force
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.people.models import School

# --- the directory of outside services ----------------------------------------------------------


def service_save(
    *,
    actor: User,
    school: School,
    name: str,
    kind: str,
    address: str = "",
    phone: str = "",
    handles: str = "",
    is_active: bool = True,
    service: OutsideService | None = None,
) -> OutsideService:
    """Add a hospital, clinic or community service to the school's directory, or edit one."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the name of the service.")})
    if kind not in OutsideService.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of service it is.")})
    if service is not None and service.school_id != school.pk:
        raise ValidationError(_("Unknown service."))
    clash = OutsideService.objects.filter(school=school, name=name)
    if service is not None:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        raise ValidationError({"name": _("The directory already has a service of this name.")})
    with transaction.atomic():
        service = service or OutsideService(school=school)
        service.name, service.kind = name, kind
        service.address, service.phone = address.strip(), phone.strip()
        service.handles, service.is_active = handles.strip(), is_active
        service.save()
    return service


def service_deactivate(*, actor: User, service: OutsideService) -> OutsideService:
    """Take a service out of use: past referrals keep it, new ones cannot choose it."""
    if service.is_active:
        service.is_active = False
        service.save(update_fields=["is_active"])
    return service


# --- referral ---------------------------------------------------------------------------------------


def _case_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def referral_create(
    *,
    actor: User,
    case: Case,
    kind: str,
    reason: str,
    follow_up_due: datetime.date,
    to_counselor: User | None = None,
    to_service: OutsideService | None = None,
    hand_over_lead: bool = False,
) -> Referral:
    """Refer a case to another counselor of the school, or to a service outside it.

    Inside the school the receiving counselor joins the case's counselors (and takes the lead if
    ``hand_over_lead``) and is told. Outside, a guardian's referral consent must be in force.
    """
    if kind not in Referral.Kind.values:
        raise ValidationError({"kind": _("Choose where the case is referred.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the case is referred.")})
    if follow_up_due < timezone.localdate():
        raise ValidationError({"follow_up_due": _("The follow-up date cannot be in the past.")})
    consent = None
    if kind == Referral.Kind.INTERNAL:
        to_service = None
        if to_counselor is None:
            raise ValidationError({"to_counselor": _("Choose the counselor who takes the case.")})
        if not counselors_of(case.school_id).filter(pk=to_counselor.pk).exists():
            raise ValidationError(
                {
                    "to_counselor": _("%(name)s is not counseling staff of this school.")
                    % {"name": to_counselor.display_name}
                }
            )
    else:
        to_counselor = None
        if to_service is None:
            raise ValidationError({"to_service": _("Choose the service from the directory.")})
        if to_service.school_id != case.school_id or not to_service.is_active:
            raise ValidationError(
                {"to_service": _("This service is not in the school's directory.")}
            )
        consent = consent_in_force(
            student=case.student, purpose=Consent.Purpose.REFERRAL, case=case
        )
        if consent is None:
            raise ValidationError(
                _(
                    "A referral outside the school needs the guardian's consent to the referral. "
                    "Record the consent first, then refer the case."
                )
            )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        # Checked under the case's lock: the same form sent twice makes one referral.
        if not case.is_open:
            raise ValidationError(_("Only a case that is still open can be referred."))
        if (
            to_service is not None
            and case.referrals.filter(to_service=to_service, state=Referral.State.OPEN).exists()
        ):
            raise ValidationError(
                {"to_service": _("The case already has an open referral to this service.")}
            )
        if to_counselor is not None and case.counselors.filter(user_id=to_counselor.pk).exists():
            raise ValidationError(
                {
                    "to_counselor": _("%(name)s is already a counselor of this case.")
                    % {"name": to_counselor.display_name}
                }
            )
        referral = Referral.objects.create(
            case=case,
            kind=kind,
            to_counselor=to_counselor,
            to_service=to_service,
            reason=reason,
            consent=consent,
            referred_by=actor,
            follow_up_due=follow_up_due,
        )
        if to_counselor is not None:
            lead = hand_over_lead or not case.counselors.filter(is_lead=True).exists()
            if lead:
                case.counselors.update(is_lead=False)
            CaseCounselor.objects.create(
                case=case, user=to_counselor, is_lead=lead, assigned_by=actor
            )
            notify(
                recipients=[to_counselor],
                title=_("Case %(number)s is referred to you") % {"number": case.number},
                url=_case_url(case),
                level=Notification.Level.ACTION,
                school_id=case.school_id,
            )
        else:
            notify(
                recipients=[
                    u for u in staff_with_role(case.school_id, Role.DIRECTOR) if u.pk != actor.pk
                ],
                title=_("Case %(number)s is referred outside the school") % {"number": case.number},
                url=reverse("cases:referral_detail", args=[referral.pk]),
                level=Notification.Level.INFO,
                school_id=case.school_id,
            )
    return referral


def _open_referral(referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.state != Referral.State.OPEN:
        raise ValidationError(
            _("This referral is already closed (%(state)s).")
            % {"state": referral.get_state_display()}
        )
    return referral


def referral_record_outcome(*, actor: User, referral: Referral, outcome: str) -> Referral:
    """Record what came of a referral; it leaves the follow-up list."""
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("Write what came of the referral.")})
    with transaction.atomic():
        referral = _open_referral(referral)
        referral.outcome = outcome
        referral.outcome_at = timezone.now()
        referral.state = Referral.State.DONE
        referral.save(update_fields=["outcome", "outcome_at", "state"])
    return referral


def referral_cancel(*, actor: User, referral: Referral, note: str = "") -> Referral:
    """Cancel a referral that did not happen. A counselor who joined the case stays on it: the
    director changes the case's counselors."""
    with transaction.atomic():
        referral = _open_referral(referral)
        referral.state = Referral.State.CANCELLED
        referral.outcome = note.strip()
        referral.outcome_at = timezone.now()
        referral.save(update_fields=["outcome", "outcome_at", "state"])
    return referral


def referrals_awaiting_follow_up(user: User):
    """Open referrals of the cases ``user`` may read, the most urgent follow-up first."""
    return (
        Referral.objects.filter(state=Referral.State.OPEN, case__in=Case.objects.for_user(user))
        .select_related(
            "case__student__school_class__grade", "to_counselor", "to_service", "referred_by"
        )
        .order_by("follow_up_due", "referred_at")
    )


# --- typical cases: de-identification --------------------------------------------------------------

STUDENT = "某生"
CLASS = "某班"
SCHOOL = "某校"
GUARDIAN = "家长"
TEACHER = "某老师"
PLACE = "某处"
NUMBER = "××××"
DISTRICT = "某区"
SOME_MONTH = "某月"
SOME_YEAR_MONTH = "某年某月"
SOME_YEAR = "某年"

COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "南宫",
    "西门",
    "独孤",
    "轩辕",
    "呼延",
    "澹台",
    "万俟",
)
FAMILY_WORDS = (
    "妈妈",
    "爸爸",
    "母亲",
    "父亲",
    "奶奶",
    "爷爷",
    "外婆",
    "外公",
    "姥姥",
    "姥爷",
    "家长",
)
CN_DIGITS = "零一二三四五六七八九十"
_CN_NUM = "[一二三四五六七八九十两〇零]"

# Exact dates become a month or less: (pattern, placeholder), most specific first.
DATE_PATTERNS = (
    (re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?"), SOME_YEAR_MONTH),
    (re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?!\d)"), SOME_YEAR_MONTH),
    (re.compile(r"(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号]"), SOME_MONTH),
    (re.compile(rf"{_CN_NUM}{{1,3}}月{_CN_NUM}{{1,3}}[日号]"), SOME_MONTH),
    (re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年"), SOME_YEAR),
)


@dataclass(frozen=True)
class Identifier:
    """A piece of text that could identify the student, what replaces it, and what it is."""

    text: str
    placeholder: str
    kind: str  # shown to the counselor when it is still in the text
    # Strict identifiers block publishing; weak ones (a surname with 同学, a room's name) are
    # replaced in the draft but may stay where the counselor means an ordinary word.
    strict: bool = True


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name, or of one written in pinyin ("Li Ming")."""
    name = name.strip()
    if " " in name:
        surname, _sep, given = name.partition(" ")
        return surname, given.strip()
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > len(compound):
            return compound, name[len(compound) :]
    return name[:1], name[1:]


def _cn_number(n: int) -> str:
    if 0 <= n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _class_names(school_class) -> set[str]:
    grade = school_class.grade.name
    n = school_class.number
    short = grade.removesuffix("年级") if grade.endswith("年级") else ""
    names = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(str(school_class.name))
    for number in (str(n), _cn_number(n)):
        names |= {f"{grade}{number}班", f"{grade}({number})班", f"{grade}（{number}）班"}
        if short:
            names |= {f"{short}({number})班", f"{short}（{number}）班", f"{short}{number}班"}
    return names


def identifiers_of(case: Case) -> list[Identifier]:
    """What could identify the student of ``case``, longest first (so that a full name is
    replaced before the given name inside it)."""
    student = case.student
    found: list[Identifier] = []

    def add(
        text: str | None, placeholder: str, kind: str, minimum: int = 2, strict: bool = True
    ) -> None:
        text = (text or "").strip()
        if len(text) >= minimum:
            found.append(Identifier(text, placeholder, kind, strict))

    name_kind = _("the student's name")
    add(student.name, STUDENT, name_kind, minimum=1)
    surname, given = split_name(student.name)
    add(given, STUDENT, name_kind)
    if " " in student.name.strip():  # a name in letters: each part is a name
        add(surname, STUDENT, name_kind)
    if surname:
        for word in FAMILY_WORDS:
            add(f"{surname}{word}", GUARDIAN, _("a guardian's name"), strict=False)
        for form in (f"{surname}同学", f"小{surname}"):
            add(form, STUDENT, name_kind, strict=False)
    add(student.student_number, NUMBER, _("the student number"), minimum=1)
    if student.school_class_id:
        for class_name in _class_names(student.school_class):
            add(class_name, CLASS, _("the class"))
    if student.dormitory_id:
        dorm = student.dormitory
        add(str(dorm), PLACE, _("a place"))
        add(dorm.building, PLACE, _("a place"), strict=False)
    for link in student.guardian_links.select_related("guardian"):
        add(link.guardian.name, GUARDIAN, _("a guardian's name"))
    school = student.school
    add(school.name, SCHOOL, _("the school's name"))
    if school.district_id:
        add(school.district.name, DISTRICT, _("the school's name"), strict=False)
    from xinqiao.rooms.models import Room

    for room_name, location in Room.objects.filter(school_id=case.school_id).values_list(
        "name", "location"
    ):
        add(room_name, PLACE, _("a place"), strict=False)
        add(location, PLACE, _("a place"), strict=False)
    staff = {c.user for c in case.counselors.select_related("user")}
    if case.referred_by_id:
        staff.add(case.referred_by)
    if student.school_class_id:
        from xinqiao.people.models import RoleAssignment

        teacher_ids = (
            RoleAssignment.objects.in_force()
            .filter(school_class_id=student.school_class_id, role=Role.CLASS_TEACHER)
            .values("user_id")
        )
        staff |= set(User.objects.filter(pk__in=teacher_ids))
    for person in staff:
        add(person.full_name, TEACHER, _("a teacher's name"))
    unique: dict[str, Identifier] = {}
    for identifier in found:  # a text that is strict in any reading stays strict
        known = unique.get(identifier.text)
        if known is None or (identifier.strict and not known.strict):
            unique[identifier.text] = identifier
    return sorted(unique.values(), key=lambda i: len(i.text), reverse=True)


def deidentify(text: str, identifiers: Iterable[Identifier]) -> str:
    """Replace every identifier with its placeholder and generalise exact dates."""
    identifiers = list(identifiers)
    if identifiers:
        by_text = {i.text: i.placeholder for i in identifiers}
        pattern = re.compile("|".join(re.escape(i.text) for i in identifiers))
        text = pattern.sub(lambda m: by_text[m.group(0)], text)
    for date_pattern, placeholder in DATE_PATTERNS:
        text = date_pattern.sub(placeholder, text)
    return text


def identifying_details(text: str, case: Case) -> list[str]:
    """What in ``text`` could still identify the student (kinds, not values), for the counselor."""
    kinds: list[str] = []
    for identifier in identifiers_of(case):
        if identifier.strict and identifier.text in text and identifier.kind not in kinds:
            kinds.append(identifier.kind)
    if any(pattern.search(text) for pattern, _placeholder in DATE_PATTERNS):
        kinds.append(_("an exact date"))
    return kinds


def typical_draft(case: Case) -> tuple[str, str]:
    """A de-identified (title, text) built from the case: the problem, the nature of the problem,
    the plan's goals and kinds of measures, the stage summaries and the closing summary."""
    categories = [c.name for c in case.categories.all()]
    sections: list[tuple[str, str]] = [(_("The problem"), case.problem)]
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


# --- typical cases: the workflow --------------------------------------------------------------------

TYPICAL_STATES = (Case.State.CLOSED, Case.State.ARCHIVED)


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
    with transaction.atomic():
        typical = TypicalCase.objects.select_for_update().get(pk=typical.pk)
        typical.title, typical.text, typical.category = title[:100], text, category
        typical.published = False
        typical.save(update_fields=["title", "text", "category", "published"])
        if publish:
            typical = typical_publish(actor=actor, typical=typical)
    return typical


def typical_publish(*, actor: User, typical: TypicalCase) -> TypicalCase:
    """Publish the example to the school's library of typical cases, only when the consent is
    still in force and nothing in the title or text identifies the student."""
    with transaction.atomic():
        typical = (
            TypicalCase.objects.select_for_update()
            .select_related("case__student")
            .get(pk=typical.pk)
        )
        case = typical.case
        consent = consent_in_force(
            student=case.student, purpose=Consent.Purpose.TEACHING, case=case
        )
        if consent is None:
            raise ValidationError(
                _("The consent to use this case in teaching is no longer in force.")
            )
        left = identifying_details(f"{typical.title}\n{typical.text}", case)
        if left:
            raise ValidationError(
                _("Remove what could identify the student before publishing: %(what)s.")
                % {"what": ", ".join(left)}
            )
        typical.consent = consent
        typical.published = True
        typical.save(update_fields=["consent", "published"])
    return typical


def typical_unpublish(*, actor: User, typical: TypicalCase) -> TypicalCase:
    if typical.published:
        typical.published = False
        typical.save(update_fields=["published"])
    return typical
