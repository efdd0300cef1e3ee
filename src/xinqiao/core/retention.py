"""Retention: how long each kind of record is kept, the director's yearly review of what is past
its period, and its deletion or anonymisation with a record that it happened (issue 13 item 5).

Core imports no app, so each app registers its record types in its ``AppConfig.ready``
(``register``): a label, the documented default period in years (a school's director may set
another, never below the type's minimum), which records of a school are past their period on a
day, how each is shown in the review (a student's name and class, dates: never confidential
text), and how they go. Seeds 000, 001 and 003 ask that the room's forms and files be archived
and kept safe by a named person; this is the other end of that archive.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Model, Q, QuerySet
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqiao.core import directory
from xinqiao.core.history import service, track
from xinqiao.core.models import AccessLog, PendingStep, RetentionPolicy, RetentionRun, User
from xinqiao.core.roles import Role
from xinqiao.core.steps import step_done, step_waiting

# A school's director reviews once a year; the notice comes this long after the last review.
REVIEW_EVERY = datetime.timedelta(days=365)
MAXIMUM_YEARS = 100


@dataclass(frozen=True)
class ReviewRow:
    """One record as the review lists it: who it concerns and its dates, nothing more."""

    pk: int
    label: str  # e.g. "DA-2025-1-0003 · 张三 · 七年级1班"
    dated: datetime.date | None
    kept_until: datetime.date | None


@dataclass(frozen=True)
class RecordType:
    """A kind of record with a retention period, registered by its app."""

    key: str  # "cases.case"
    label: str | Promise
    counted_from: str | Promise  # what the period runs from, for the page and the README
    default_years: int
    # past(school_id, years, today): the records of the school past their period on ``today``.
    past: Callable[[int, int, datetime.date], QuerySet]
    # rows(queryset, years): the same records as the review shows them.
    rows: Callable[[QuerySet, int], list[ReviewRow]]
    # dispose(queryset): delete or anonymise them; returns how many.
    dispose: Callable[[QuerySet], int]
    action: str = RetentionRun.Action.DELETED
    minimum_years: int = 1


_registry: dict[str, RecordType] = {}


def register(record_type: RecordType) -> None:
    if record_type.minimum_years > record_type.default_years:
        raise ValueError(f"{record_type.key}: the default is below the minimum")
    _registry[record_type.key] = record_type


def record_types() -> list[RecordType]:
    return list(_registry.values())


def record_type(key: str) -> RecordType:
    try:
        return _registry[key]
    except KeyError:
        raise ValidationError(_("Unknown record type.")) from None


# --- periods ------------------------------------------------------------------------------------
def _period(kind: RecordType, chosen: int | None) -> int:
    return max(kind.minimum_years, chosen if chosen is not None else kind.default_years)


def years_for(school_id: int, key: str) -> int:
    """The school's period for the type, or the type's default; never below its minimum."""
    chosen = (
        RetentionPolicy.objects.filter(school_id=school_id, record_type=key)
        .values_list("years", flat=True)
        .first()
    )
    return _period(record_type(key), chosen)


def periods(school_id: int) -> list[tuple[RecordType, int]]:
    """Every registered type with the school's period (one query)."""
    chosen = dict(
        RetentionPolicy.objects.filter(school_id=school_id).values_list("record_type", "years")
    )
    return [(kind, _period(kind, chosen.get(kind.key))) for kind in record_types()]


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: datetime.date, years: int) -> datetime.date:
    return years_before(day, -years)


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# A student's records are kept at least until they are 18 plus the period (Civil Code art. 188
# and 191: a claim for sexual abuse suffered as a minor runs three years from the 18th birthday;
# README "Retention and deletion").
AGE_OF_MAJORITY = 18


def of_age_q(today: datetime.date, years: int, *, birth: str, fallback: str) -> Q:
    """Records whose student turned 18 more than ``years`` ago; without a date of birth the
    record's own ``fallback`` date stands for it (the most cautious reading)."""
    born_before = years_before(today, AGE_OF_MAJORITY + years)
    return Q(**{f"{birth}__lt": born_before}) | Q(
        **{f"{birth}__isnull": True, f"{fallback}__lt": start_of_day(born_before)}
    )


def of_age_until(birth: datetime.date | None, fallback: datetime.date, years: int) -> datetime.date:
    """The day ``of_age_q`` lets the record go after."""
    return years_after(birth or fallback, AGE_OF_MAJORITY + years)


@service
def retention_policy_set(*, actor: User, school_id: int, key: str, years: int) -> RetentionPolicy:
    """The director sets the school's period for one record type."""
    kind = record_type(key)
    if not actor.has_role(Role.DIRECTOR, school_id=school_id):
        raise ValidationError(_("Only the director of the school sets its retention periods."))
    if not kind.minimum_years <= years <= MAXIMUM_YEARS:
        raise ValidationError(
            _("Keep %(label)s between %(low)s and %(high)s years.")
            % {"label": kind.label, "low": kind.minimum_years, "high": MAXIMUM_YEARS}
        )
    policy, _created = RetentionPolicy.objects.update_or_create(
        school_id=school_id,
        record_type=key,
        defaults={"years": years, "changed_by": actor, "changed_at": timezone.now()},
    )
    return policy


# --- the review ---------------------------------------------------------------------------------
@dataclass
class ReviewGroup:
    kind: RecordType
    years: int
    count: int


def review(school_id: int, today: datetime.date | None = None) -> list[ReviewGroup]:
    """Every registered type with the school's period and how many records are past it."""
    today = today or timezone.localdate()
    groups = []
    for kind, years in periods(school_id):
        groups.append(ReviewGroup(kind, years, kind.past(school_id, years, today).count()))
    return groups


def past_records(school_id: int, key: str, today: datetime.date | None = None) -> QuerySet:
    return record_type(key).past(
        school_id, years_for(school_id, key), today or timezone.localdate()
    )


def last_review(school_id: int) -> RetentionRun | None:
    return RetentionRun.objects.filter(school_id=school_id).first()


def review_due(
    school_id: int,
    now: datetime.datetime | None = None,
    groups: list[ReviewGroup] | None = None,
) -> bool:
    """A year has passed since the school's last decision (or there was none) and records
    are past their period (``groups``: the review already counted)."""
    now = now or timezone.now()
    last = last_review(school_id)
    if last is not None and now - last.decided_at < REVIEW_EVERY:
        return False
    groups = review(school_id, timezone.localdate(now)) if groups is None else groups
    return any(group.count for group in groups)


@service
def retention_apply(
    *, actor: User, school_id: int, key: str, reason: str, confirmed: bool
) -> RetentionRun:
    """Delete or anonymise the school's records of one type that are past their period, on
    the director's confirmation and with a reason, in one transaction, and record that it
    happened (type, count, period, when, who, why: never what the records said)."""
    kind = record_type(key)
    if not actor.has_role(Role.DIRECTOR, school_id=school_id):
        raise ValidationError(_("Only the director of the school decides on its records."))
    reason = reason.strip()
    if not confirmed or not reason:
        raise ValidationError(_("Confirm the deletion and give the reason."))
    today = timezone.localdate()
    years = years_for(school_id, key)
    try:
        count = kind.dispose(kind.past(school_id, years, today))
    except (ProtectedError, RestrictedError):
        # A record of another kind still points at one of them: nothing goes (one transaction).
        raise ValidationError(
            _("Some of these records are still linked to other records; nothing was deleted.")
        ) from None
    if not count:  # e.g. the same confirmation sent twice: nothing more to record
        raise ValidationError(_("Nothing is past its period."))
    if not any(group.count for group in review(school_id, today)):
        step_done(obj=_school(school_id), kind=REVIEW_STEP)
    return RetentionRun.objects.create(
        school_id=school_id,
        record_type=key,
        action=kind.action,
        count=count,
        years=years,
        ended_before=today,
        reason=reason[:300],
        decided_by=actor,
        decided_by_name=actor.display_name,
    )


REVIEW_STEP = "retention_review"


def _school(school_id: int) -> Model:
    # The school model is the people app's; core names it without importing it (layers).
    return apps.get_model("people", "School")(pk=school_id)


def retention_review_remind(now: datetime.datetime | None = None) -> int:
    """Tell each school's directors when their yearly review is due (a step waiting for them,
    done once nothing is past its period). Returns the number of schools told."""
    from django.urls import reverse

    told = 0
    for school_id in apps.get_model("people", "School").objects.values_list("pk", flat=True):
        if not review_due(school_id, now):
            continue
        directors = list(directory.roles().holders(school_id, Role.DIRECTOR))
        step_waiting(
            kind=REVIEW_STEP,
            obj=_school(school_id),
            assignees=directors,
            title=_("The yearly review of records past their retention period is due"),
            url=reverse("core:retention") + f"?school={school_id}",
            school_id=school_id,
        )
        told += 1
    return told


# --- disposal helpers the apps use --------------------------------------------------------------
def delete_with_history(queryset: QuerySet) -> int:
    """Delete the records and everything that goes with them (Django's cascade), and their
    change history too: a deleted record must not live on in the history's copies of its
    fields. The RetentionRun is the record that it happened. Returns how many of the
    queryset's own records went."""
    objects = list(queryset)
    if not objects:
        return 0
    collector = Collector(using=router.db_for_write(queryset.model))
    collector.collect(objects)
    doomed: dict[type[Model], set] = {}
    for model, instances in collector.data.items():
        doomed.setdefault(model, set()).update(obj.pk for obj in instances)
    for fast in collector.fast_deletes:
        if isinstance(fast, QuerySet):
            doomed.setdefault(fast.model, set()).update(fast.values_list("pk", flat=True))
    for model, pks in doomed.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        keys = sorted(pks)
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            LogEntry.objects.filter(
                content_type=content_type, object_pk__in=[str(pk) for pk in batch]
            ).delete()
            # A step can no longer wait on what is gone.
            PendingStep.objects.filter(object_type=model._meta.label, object_id__in=batch).delete()
    with disable_auditlog():
        collector.delete()
    return len(objects)


# --- the access log: core's own record type -----------------------------------------------------
ACCESS_LOG_MINIMUM_YEARS = 3


def _access_log_cutoff(today: datetime.date) -> datetime.datetime:
    """The log is one chain for the installation and is pruned from its oldest end: only rows
    older than the longest period any school keeps go, so no school's period is cut short."""
    kind = record_type(ACCESS_LOG)
    chosen = RetentionPolicy.objects.filter(record_type=ACCESS_LOG).values_list("years", flat=True)
    longest = max([kind.default_years, *(_period(kind, years) for years in chosen)])
    return start_of_day(years_before(today, longest))


def _access_log_past(school_id: int, years: int, today: datetime.date) -> QuerySet:
    """The school's rows past the installation's cutoff (which is at least ``years`` back)."""
    return AccessLog.objects.filter(school_id=school_id, created_at__lt=_access_log_cutoff(today))


def _access_log_rows(queryset: QuerySet, years: int) -> list[ReviewRow]:
    rows = queryset.order_by("seq").values("seq", "created_at", "action", "object_type")
    return [
        ReviewRow(
            row["seq"],
            f"#{row['seq']} · {row['action']} · {row['object_type']}",
            timezone.localdate(row["created_at"]),
            None,
        )
        for row in rows
    ]


def _access_log_dispose(queryset: QuerySet) -> int:
    """Prune the chain's oldest end; the count is the school's own rows that went."""
    from xinqiao.core.access_log import prune_access_log

    before = queryset.count()
    if before:
        prune_access_log(_access_log_cutoff(timezone.localdate()))
    return before - queryset.count()


ACCESS_LOG = "core.accesslog"


def register_core() -> None:
    """CoreConfig.ready: the periods and decisions keep their change history, and the access
    log is core's own record type."""
    track(RetentionPolicy)
    track(RetentionRun)
    register(
        RecordType(
            key=ACCESS_LOG,
            label=gettext_lazy("access log rows"),
            counted_from=gettext_lazy(
                "the day the row was written (the oldest rows of the installation go first, "
                "once past the longest period any school keeps)"
            ),
            default_years=ACCESS_LOG_MINIMUM_YEARS,
            minimum_years=ACCESS_LOG_MINIMUM_YEARS,
            past=_access_log_past,
            rows=_access_log_rows,
            dispose=_access_log_dispose,
        )
    )
