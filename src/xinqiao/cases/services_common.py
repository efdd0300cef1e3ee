"""What the case services share: locking a case, its state machine, forgetting the counselors
a caller's case object holds, and telling people about it in-app (the notification names the
case, never its content)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from xinqiao.cases.models import Case
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify


def lock_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def forget_counselors(case: Case) -> None:
    """After a change of the case's counselors, the case object the caller holds answers the
    predicates from the database again (``Case.counselor_user_ids`` and its prefetch)."""
    case.__dict__.pop("counselor_user_ids", None)
    getattr(case, "_prefetched_objects_cache", {}).pop("counselors", None)


def move_case(case: Case, to_state: str) -> None:
    if not case.can_become(to_state):
        raise ValidationError(
            _("A case that is %(state)s cannot become %(to)s.")
            % {"state": case.get_state_display(), "to": Case.State(to_state).label}
        )
    case.state = to_state


def require_working(case: Case) -> None:
    if case.state not in Case.WORKING_STATES:
        raise ValidationError(
            _("Records can only be added to a case that is being worked on (it is %(state)s).")
            % {"state": case.get_state_display()}
        )


def case_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def tell(users: Iterable[User], case: Case, title: str, level=Notification.Level.ACTION) -> None:
    notify(recipients=users, title=title, url=case_url(case), level=level, school_id=case.school_id)
