"""Consent (issue 6 item 8): who agreed, when and to what, and the check services make before
the action a consent covers.

Seed 004: counseling rests on the student's informed, voluntary agreement (心理辅导要在学生知情自愿
的基础上进行). Seed 000: a case is used (in teaching, research, writing) only with the consent of
the person concerned. DESIGN.md principle 3: guardian consent for minors, for referral, teaching
and research.

Services trust their caller: the getter and the view or API have decided that the actor may
do this (cases/access.py, cases/rules.py). Each service that takes an ``actor`` is a
``@service`` (core/history.py): one transaction, the actor recorded as the author in the change
history.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import Case, Consent, TypicalCase
from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.people.models import Student

# A minor cannot consent alone to these (DESIGN.md principle 3: guardian consent for minors).
GUARDIAN_PURPOSES = frozenset(
    {Consent.Purpose.REFERRAL, Consent.Purpose.TEACHING, Consent.Purpose.RESEARCH}
)
AGE_OF_MAJORITY = 18


def is_minor(student: Student, on: datetime.date | None = None) -> bool:
    """Every student counts as a minor unless a date of birth shows they are 18 or older."""
    if student.birth_date is None:
        return True
    on = on or timezone.localdate()
    born = student.birth_date
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age < AGE_OF_MAJORITY


@service
def consent_record(
    *,
    actor: User,
    case: Case,
    purpose: str,
    given_by: str,
    giver_name: str,
    given_on: datetime.date,
    how: str = "",
) -> Consent:
    """Record who consented, when and to what, for the student of ``case``."""
    if purpose not in Consent.Purpose.values:
        raise ValidationError({"purpose": _("Choose what the consent is for.")})
    if given_by not in Consent.GivenBy.values:
        raise ValidationError({"given_by": _("Choose who gave the consent.")})
    giver_name = giver_name.strip()
    if not giver_name:
        raise ValidationError({"giver_name": _("Give the name of the person who consented.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    student = case.student
    if (
        purpose in GUARDIAN_PURPOSES
        and given_by != Consent.GivenBy.GUARDIAN
        and is_minor(student, given_on)
    ):
        raise ValidationError(
            {
                "given_by": _(
                    "The student is a minor: consent to %(purpose)s must come from a guardian."
                )
                % {"purpose": Consent.Purpose(purpose).label}
            }
        )
    # The same form sent twice stores one consent (the name is encrypted: compared here).
    given = {
        "student": student,
        "case": case,
        "purpose": purpose,
        "given_by": given_by,
        "given_on": given_on,
    }
    open_ones = Consent.objects.filter(**given, withdrawn_on__isnull=True).order_by("id")
    same = next((c for c in open_ones if c.giver_name == giver_name), None)
    if same is not None:
        return same
    return Consent.objects.create(
        school_id=case.school_id,
        **given,
        giver_name=giver_name,
        how=how.strip(),
        recorded_by=actor,
    )


@service
def consent_withdraw(
    *, actor: User, consent: Consent, withdrawn_on: datetime.date | None = None
) -> Consent:
    """Withdraw a consent from the given date on. A typical case that relied on it leaves the
    library at once (seed 000: a case is used only with the consent of the person concerned)."""
    withdrawn_on = withdrawn_on or timezone.localdate()
    if withdrawn_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent is already withdrawn."))
    if withdrawn_on < consent.given_on:
        raise ValidationError(_("A consent cannot be withdrawn before it was given."))
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    TypicalCase.objects.filter(consent=consent, published=True).update(published=False)
    return consent


def consent_in_force(*, student: Student, purpose: str, case: Case | None = None) -> Consent | None:
    """The consent that covers ``purpose`` for ``student`` today, or None.

    Services call this before the action a consent covers. A consent recorded for another case
    does not cover this one; one recorded without a case covers every case of the student. For a
    minor, only a guardian's consent covers referral, teaching and research.
    """
    today = timezone.localdate()
    consents = Consent.objects.filter(
        student_id=student.pk, purpose=purpose, withdrawn_on__isnull=True, given_on__lte=today
    )
    consents = consents.filter(Q(case__isnull=True) | Q(case_id=case.pk)) if case else consents
    if purpose in GUARDIAN_PURPOSES and is_minor(student, today):
        consents = consents.filter(given_by=Consent.GivenBy.GUARDIAN)
    return consents.order_by("-given_on", "-id").first()
