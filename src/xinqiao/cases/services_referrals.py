"""Referral of a case (issue 6 item 7; seed 000: a counselor refers what is beyond them, 转介)
to another counselor of the school or to a service outside it. Consent (item 8) is in
services_consent.py; the directory of services in services_directory.py.

Services trust their caller: the getter and the view or API have decided that the actor may
do this (cases/access.py, cases/rules.py). Each service that takes an ``actor`` is a
``@service`` (core/history.py): one transaction, the actor recorded as the author in the change
history. Notifications name the case number and where to act, never what the case is about.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import (
    Case,
    CaseCounselor,
    Consent,
    OutsideService,
    Referral,
)
from xinqiao.cases.services_common import case_url, forget_counselors, lock_case
from xinqiao.cases.services_consent import consent_in_force
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.core.steps import step_done
from xinqiao.crisis.disclosures import record_disclosure
from xinqiao.crisis.models import Disclosure
from xinqiao.people.selectors import holders_of


@service
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
        if not holders_of(case.school_id, *COUNSELING_ROLES).filter(pk=to_counselor.pk).exists():
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
    given, case = case, lock_case(case)
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
        CaseCounselor.objects.create(case=case, user=to_counselor, is_lead=lead, assigned_by=actor)
        forget_counselors(given)
        notify(
            recipients=[to_counselor],
            title=_("Case %(number)s is referred to you") % {"number": case.number},
            url=case_url(case),
            level=Notification.Level.ACTION,
            school_id=case.school_id,
        )
    else:
        record_disclosure(
            actor=actor,
            school_id=case.school_id,
            student=case.student,
            recipient_kind=Disclosure.RecipientKind.HOSPITAL,
            recipient=to_service.name,
            what=reason,
            why=_("Referral of case %(number)s outside the school") % {"number": case.number},
            ground=Disclosure.Ground.CONSENT,
            source_object=referral,
        )
        notify(
            recipients=[u for u in holders_of(case.school_id, Role.DIRECTOR) if u.pk != actor.pk],
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


@service
def referral_record_outcome(*, actor: User, referral: Referral, outcome: str) -> Referral:
    """Record what came of a referral; it leaves the follow-up list."""
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("Write what came of the referral.")})
    referral = _open_referral(referral)
    referral.outcome = outcome
    referral.outcome_at = timezone.now()
    referral.state = Referral.State.DONE
    referral.save(update_fields=["outcome", "outcome_at", "state"])
    step_done(obj=referral)
    return referral


@service
def referral_cancel(*, actor: User, referral: Referral, note: str = "") -> Referral:
    """Cancel a referral that did not happen. A counselor who joined the case stays on it: the
    director changes the case's counselors."""
    referral = _open_referral(referral)
    referral.state = Referral.State.CANCELLED
    referral.outcome = note.strip()
    referral.outcome_at = timezone.now()
    referral.save(update_fields=["outcome", "outcome_at", "state"])
    step_done(obj=referral)
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
