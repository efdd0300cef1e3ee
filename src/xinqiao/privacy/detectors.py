"""The detectors of unusual reading patterns (issue 16 item 2): a list of small functions, each
given the rows of the log since the last scan and answering the patterns it finds.

Each finding carries a ``key`` that the same rows always give again, so a scan that runs twice
over them (or two workers) writes the flag once (the constraint on ``AccessFlag``). A detector
that needs rows before the scan's (a time window) reads them as context: a pattern is found
when its last row is new.

- ``many_files``: one person reading ``ACCESS_FLAG_FILES`` distinct students' files (any read,
  print or export of a case, a record of it or the student file: the rows that carry a
  ``student_id``) within ``ACCESS_FLAG_MINUTES``. After a flag, counting starts again after
  its last row: a long burst is one flag per threshold's worth of files, not one per row.
- ``outside_hours``: reads of confidential material outside ``ACCESS_WORK_START_HOUR`` to
  ``ACCESS_WORK_END_HOUR`` or on a day not in ``ACCESS_WORK_DAYS`` (the school's local time),
  one flag per person and day. Viewing the log itself is not counted.
- ``refusals``: ``ACCESS_FLAG_REFUSALS`` refusals within ``ACCESS_FLAG_MINUTES``: slower probing
  than core/access.py's per-minute limit, which answers 429 and tells the director at once
  (past it nothing is written, so this detector sees the rows up to the limit).

- ``grant_ending``: reads under an access grant (cases/models/grant.py) in the last stretch of
  its period: the last ``ACCESS_FLAG_GRANT_END_HOURS`` hours, and never more than the last
  quarter of the period (a one-day grant is not all "near its end"). Someone copying what they
  can before the access lapses reads so; one flag per grant, counting its reads then.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from xinqiao.cases.models import AccessGrant
from xinqiao.core.models import AccessLog
from xinqiao.people.models import RoleAssignment
from xinqiao.privacy.models import AccessFlag

READS = ("read", "print", "export", "emergency")
FIELDS = ("seq", "created_at", "actor_id", "actor_username", "school_id", "student_id", "grant_id")


@dataclass(frozen=True)
class Finding:
    kind: str
    school_id: int
    actor_id: int | None
    actor_username: str
    key: str
    first_seq: int
    last_seq: int
    started_at: datetime.datetime
    ended_at: datetime.datetime
    count: int


@dataclass(frozen=True)
class Scan:
    """The rows ``after_seq < seq <= upto_seq`` are new to this scan."""

    after_seq: int
    upto_seq: int

    def new_rows(self, **conditions):
        return (
            AccessLog.objects.filter(seq__gt=self.after_seq, seq__lte=self.upto_seq, **conditions)
            .exclude(actor_username="")
            .exclude(school_id__isnull=True, actor_id__isnull=True)
            .order_by("seq")
            .values(*FIELDS)
        )

    def with_context(self, window: datetime.timedelta, **conditions) -> list[dict]:
        """The new rows, and the rows up to ``window`` before the first of them."""
        new = list(self.new_rows(**conditions))
        if not new:
            return []
        context = (
            AccessLog.objects.filter(
                seq__lte=self.after_seq, created_at__gte=new[0]["created_at"] - window, **conditions
            )
            .exclude(actor_username="")
            .exclude(school_id__isnull=True, actor_id__isnull=True)
            .order_by("seq")
            .values(*FIELDS)
        )
        return [*context, *new]


def _in_schools(rows: Iterable[dict]) -> Iterator[dict]:
    """Each row with its school; a row without one (a refusal of an id that does not exist)
    once for each school where its person holds a role, as core/access.py tells each."""
    rows = list(rows)
    schoolless = {row["actor_id"] for row in rows if row["school_id"] is None}
    schools: dict[int, list[int]] = defaultdict(list)
    if schoolless:
        held = RoleAssignment.objects.filter(user_id__in=schoolless, school_id__isnull=False)
        for user_id, school_id in held.values_list("user_id", "school_id").distinct():
            schools[user_id].append(school_id)
    for row in rows:
        if row["school_id"] is not None:
            yield row
        else:
            for school_id in sorted(schools[row["actor_id"]]):
                yield {**row, "school_id": school_id}


def _by_person(rows: Iterable[dict]) -> dict[tuple[int, str], list[dict]]:
    groups: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in _in_schools(rows):
        groups[(row["school_id"], row["actor_username"])].append(row)
    return groups


def _last_flagged(kind: str, school_id: int, username: str, since_seq: int) -> int:
    """The last row an earlier flag of this kind took (counting starts again after it)."""
    last = (
        AccessFlag.objects.filter(
            kind=kind, school_id=school_id, actor_username=username, last_seq__gte=since_seq
        )
        .order_by("-last_seq")
        .values_list("last_seq", flat=True)
        .first()
    )
    return last or 0


def bursts(
    rows: list[dict],
    *,
    threshold: int,
    window: datetime.timedelta,
    token: Callable[[dict], Hashable],
) -> Iterator[list[dict]]:
    """Runs of rows within ``window`` holding ``threshold`` distinct tokens; after each, the
    count starts again with the next row."""
    counts: Counter = Counter()
    left = 0
    for right, row in enumerate(rows):
        counts[token(row)] += 1
        while row["created_at"] - rows[left]["created_at"] > window:
            gone = token(rows[left])
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            left += 1
        if len(counts) >= threshold:
            yield rows[left : right + 1]
            counts.clear()
            left = right + 1


def _burst_detector(kind: str, threshold: int, token: Callable[[dict], Hashable], **conditions):
    def detect(scan: Scan) -> list[Finding]:
        window = datetime.timedelta(minutes=settings.ACCESS_FLAG_MINUTES)
        found = []
        for (school_id, username), rows in _by_person(
            scan.with_context(window, **conditions)
        ).items():
            done = _last_flagged(kind, school_id, username, rows[0]["seq"])
            rows = [row for row in rows if row["seq"] > done]
            for run in bursts(rows, threshold=threshold, window=window, token=token):
                if run[-1]["seq"] <= scan.after_seq:
                    continue  # a context row ends it: an earlier scan's to find
                found.append(
                    _finding(kind, run, key=str(run[-1]["seq"]), count=len({token(r) for r in run}))
                )
        return found

    detect.__name__ = kind
    return detect


def _finding(kind: str, rows: list[dict], *, key: str, count: int) -> Finding:
    first, last = rows[0], rows[-1]
    return Finding(
        kind=kind,
        school_id=first["school_id"],
        actor_id=last["actor_id"],
        actor_username=last["actor_username"],
        key=key,
        first_seq=first["seq"],
        last_seq=last["seq"],
        started_at=first["created_at"],
        ended_at=last["created_at"],
        count=count,
    )


def many_files(scan: Scan) -> list[Finding]:
    return _burst_detector(
        AccessFlag.Kind.MANY_FILES,
        settings.ACCESS_FLAG_FILES,
        lambda row: row["student_id"],
        action__in=READS,
        student_id__isnull=False,
    )(scan)


def refusals(scan: Scan) -> list[Finding]:
    return _burst_detector(
        AccessFlag.Kind.REFUSALS,
        settings.ACCESS_FLAG_REFUSALS,
        lambda row: row["seq"],
        action=AccessLog.Action.DENIED,
    )(scan)


def is_working_time(moment: datetime.datetime) -> bool:
    local = timezone.localtime(moment)
    return (
        local.isoweekday() in settings.ACCESS_WORK_DAYS
        and settings.ACCESS_WORK_START_HOUR <= local.hour < settings.ACCESS_WORK_END_HOUR
    )


def outside_hours(scan: Scan) -> list[Finding]:
    rows = scan.new_rows(action__in=READS).exclude(object_type=AccessLog._meta.label)
    days: dict[tuple[int, str, datetime.date], list[dict]] = defaultdict(list)
    for row in _in_schools(rows):
        if not is_working_time(row["created_at"]):
            local_day = timezone.localdate(row["created_at"])
            days[(row["school_id"], row["actor_username"], local_day)].append(row)
    return [
        _finding(AccessFlag.Kind.OUTSIDE_HOURS, run, key=day.isoformat(), count=len(run))
        for (_school, _name, day), run in days.items()
    ]


def ending_from(starts_at: datetime.datetime, expires_at: datetime.datetime) -> datetime.datetime:
    """Where a grant's last stretch begins (see the module's note)."""
    stretch = min(
        datetime.timedelta(hours=settings.ACCESS_FLAG_GRANT_END_HOURS),
        (expires_at - starts_at) / 4,
    )
    return expires_at - stretch


def grant_ending(scan: Scan) -> list[Finding]:
    rows = list(_in_schools(scan.new_rows(action__in=READS, grant_id__isnull=False)))
    periods = {
        pk: ending_from(starts_at, expires_at)
        for pk, starts_at, expires_at in AccessGrant.objects.filter(
            pk__in={row["grant_id"] for row in rows}
        ).values_list("pk", "starts_at", "expires_at")
    }
    late: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        grant_id = row["grant_id"]
        if grant_id in periods and row["created_at"] >= periods[grant_id]:
            late[(row["school_id"], grant_id)].append(row)
    return [
        _finding(AccessFlag.Kind.GRANT_ENDING, run, key=str(grant_id), count=len(run))
        for (_school, grant_id), run in late.items()
    ]


DETECTORS: list[Callable[[Scan], list[Finding]]] = [
    many_files,
    outside_hours,
    refusals,
    grant_ending,
]
