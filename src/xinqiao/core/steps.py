"""Steps that wait for a person (待办): each is told once, listed on their "waiting for me" page
and cleared when the step is done, by whoever was entitled to do it (DESIGN.md: a person is told
of every step that waits for them).

The services where a step starts call ``step_waiting`` inside their transaction, those where it
ends call ``step_done``. Titles are neutral ("a support plan waits for your approval, case
X-1"): like every notification they never copy confidential text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.utils import timezone

from xinqiao.core.models import Notification, PendingStep, User
from xinqiao.core.notifications import notify


def _waited_on(obj: models.Model) -> dict:
    return {"object_type": obj._meta.label, "object_id": obj.pk}


def step_waiting(
    *,
    kind: str,
    obj: models.Model,
    assignees: Iterable[User],
    title: str,
    url: str,
    school_id: int,
) -> list[PendingStep]:
    """``obj`` waits for each of ``assignees`` to act on it: each is told once. A person the
    step already waits for is not told again (a draft saved twice, a reminder run twice)."""
    steps = PendingStep.objects.filter(kind=kind, **_waited_on(obj))
    waiting = set(steps.values_list("assignee_id", flat=True))
    new = {user.pk: user for user in assignees if user is not None and user.pk not in waiting}
    created = []
    for user in new.values():
        try:
            with transaction.atomic():
                (notification,) = notify(
                    recipients=[user],
                    title=title,
                    url=url,
                    level=Notification.Level.ACTION,
                    school_id=school_id,
                )
                created.append(
                    PendingStep.objects.create(
                        kind=kind,
                        assignee=user,
                        school_id=school_id,
                        title=title,
                        url=url,
                        notification=notification,
                        **_waited_on(obj),
                    )
                )
        except IntegrityError:  # the same step opened twice at once: the constraint keeps one
            continue
    return created


def step_done(*, obj: models.Model, kind: str | None = None) -> int:
    """The step (of ``kind``, or every step) waiting on ``obj`` is done: it leaves everyone's
    list and its notices are read."""
    steps = PendingStep.objects.filter(**_waited_on(obj))
    if kind is not None:
        steps = steps.filter(kind=kind)
    Notification.objects.filter(
        pk__in=steps.values("notification_id"), read_at__isnull=True
    ).update(read_at=timezone.now())
    return steps.delete()[0]


@dataclass(frozen=True)
class WaitingKind:
    object_type: str  # the model label of what waits ("cases.Case")
    label: str
    count: int


def waiting_kinds(steps: models.QuerySet[PendingStep]) -> list[WaitingKind]:
    """What ``steps`` wait on, by kind of thing (cases, leave requests...), with their counts:
    the waiting page's filter. The label is the model's name (core names no app)."""
    kinds = []
    rows = steps.order_by().values_list("object_type").annotate(n=Count("pk"))
    for object_type, count in rows:
        try:
            label = str(apps.get_model(object_type)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            label = object_type
        kinds.append(WaitingKind(object_type, label, count))
    return sorted(kinds, key=lambda kind: (-kind.count, kind.label))
