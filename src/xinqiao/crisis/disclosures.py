"""The disclosure register (issue 14 item 5; DESIGN.md principle 2): every time confidential
information leaves the counseling side, an entry says what, to whom, why, on whose decision
and on which ground. The services where information leaves call ``record_disclosure``: an
alert's notice (crisis.services.raise_alert), a guardian contact, a conference's sharing and a
referral outside the school (the cases app, above crisis, calls it).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.crisis.models import Alert, Disclosure
from xinqiao.people.models import Student


@service
def record_disclosure(
    *,
    actor: User | None,
    school_id: int,
    recipient_kind: str,
    recipient: str,
    what: str,
    why: str,
    ground: str,
    student: Student | None = None,
    alert: Alert | None = None,
    decided_by: User | None = None,
    source_object: models.Model | None = None,
) -> Disclosure:
    """Enter in the register that confidential information left the counseling side.

    ``decided_by`` is whoever decided it (the actor by default). An entry written for a
    ``source_object`` (an alert's notice, a conference's sharing) is written once per kind of
    recipient, however often its service runs.
    """
    if recipient_kind not in Disclosure.RecipientKind.values:
        raise ValidationError(_("Say to whom the information went."))
    if ground not in Disclosure.Ground.values:
        raise ValidationError(_("Choose the ground of the disclosure."))
    if not recipient.strip() or not what.strip() or not why.strip():
        raise ValidationError(_("Say what was disclosed, to whom and why."))
    decided_by = decided_by or actor
    source = (
        {"source_type": source_object._meta.label, "source_id": str(source_object.pk)}
        if source_object is not None
        else {}
    )
    if source:
        existing = Disclosure.objects.filter(recipient_kind=recipient_kind, **source).first()
        if existing is not None:
            return existing
    fields = {
        "school_id": school_id,
        "student": student,
        "alert": alert,
        "recipient_kind": recipient_kind,
        "recipient": recipient.strip()[:300],
        "what": what.strip(),
        "why": why.strip(),
        "ground": ground,
        "decided_by": decided_by,
        "decided_by_name": getattr(decided_by, "display_name", "") or "",
        **source,
    }
    try:
        with transaction.atomic():
            return Disclosure.objects.create(**fields)
    except IntegrityError:
        if not source:
            raise
        return Disclosure.objects.get(recipient_kind=recipient_kind, **source)


def names_of(users) -> str:
    return ", ".join(sorted(user.display_name for user in users))


def by_recipient_kind(users, school_id: int) -> dict[str, list[User]]:
    """The people told, grouped as the register counts them (by their role at the school)."""
    kinds: dict[str, list[User]] = {}
    for user in users:
        if user.has_role(*COUNSELING_ROLES, school_id=school_id):
            kind = Disclosure.RecipientKind.COUNSELING
        elif user.has_role(Role.PRINCIPAL, Role.VICE_PRINCIPAL, school_id=school_id):
            kind = Disclosure.RecipientKind.LEADERSHIP
        else:
            kind = Disclosure.RecipientKind.SCHOOL_STAFF
        kinds.setdefault(kind, []).append(user)
    return kinds
