"""Reading the access log as the director and the supervision group see it (issue 16 item 2).

Pages of the log are keyset pages on ``seq``, newest first (``seq < before``, or ``seq >
after`` going back towards the newest), never OFFSET: a page of a district's ten million rows
costs what the first page costs, on the indexes ``(actor_id, seq)``, ``(student_id, seq)`` and
``(grant_id, seq)`` (core/models.py). Names are resolved in one query per kind for the page.

Content (``privacy.view_access_log_content``, the director of the row's school): the student,
the case number, the object's id, the grant, the ground (basis), the address and the path.
Without content (the supervision group): who, when, what was done (read, print, export,
refused, emergency access, disclosure) and the kind of record (a case, a student file, an
alert...), nothing else; the filters by student, case and grant are not offered and not
applied, since a filter that answers "some rows" would tell whose file was read.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import BadRequest
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from xinqiao.cases.models import AccessGrant, Case
from xinqiao.core.models import AccessLog, User
from xinqiao.core.params import FIRST_DAY, LAST_DAY, parse_id
from xinqiao.core.roles import PUPIL_AND_FAMILY_ROLES, Role
from xinqiao.people.models import RoleAssignment, Student
from xinqiao.privacy.basis import basis_label

PAGE_SIZE = 50
# How many students a name search may match before the director is asked to narrow it.
STUDENT_MATCHES = 20
READ_ACTIONS = ("read", "print", "export", "emergency")
CASE_TYPE = Case._meta.label
STUDENT_TYPE = Student._meta.label
LOG_TYPE = AccessLog._meta.label


@dataclass
class LogFilters:
    """The filters of one request, parsed once for the page, the export and the API."""

    actor: int | None = None
    student: int | None = None
    student_q: str = ""
    case: str = ""
    grant: int | None = None
    action: str = ""
    kind: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    before: int | None = None
    after: int | None = None
    # Resolved: the students a name or number matched (None: no such filter).
    student_ids: list[int] | None = None
    case_ids: list[str] | None = None
    notes: list[str] = field(default_factory=list)

    def query(self, *, cursor: bool = False) -> dict[str, str]:
        """The filters as query parameters (for links), without the page cursor."""
        values = {
            "actor": self.actor or "",
            "student": self.student or "",
            "student_q": self.student_q,
            "case": self.case,
            "grant": self.grant or "",
            "action": self.action,
            "kind": self.kind,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
        }
        if cursor:
            values |= {"before": self.before or "", "after": self.after or ""}
        return {key: str(value) for key, value in values.items() if value}


def _day(params: Mapping, name: str) -> datetime.date | None:
    value = params.get(name)
    if not value:
        return None
    try:
        day = parse_date(str(value))
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise BadRequest("not a day")
    return day


def parse_filters(params: Mapping) -> LogFilters:
    """The filters from a query string (or the API's parameters); BadRequest for a bad id or
    day, as everywhere (core/params.py)."""

    def text(name: str, size: int = 60) -> str:
        return str(params.get(name) or "").strip()[:size]

    action = text("action")
    return LogFilters(
        actor=parse_id(str(params.get("actor") or "")),
        student=parse_id(str(params.get("student") or "")),
        student_q=text("student_q"),
        case=text("case", 30),
        grant=parse_id(str(params.get("grant") or "")),
        action=action if action in AccessLog.Action.values else "",
        kind=text("kind", 100),
        start=_day(params, "start"),
        end=_day(params, "end"),
        before=parse_id(str(params.get("before") or "")),
        after=parse_id(str(params.get("after") or "")),
    )


# --- scope ----------------------------------------------------------------------------------
def content_schools(user) -> frozenset[int]:
    """The schools whose log ``user`` reads with its content (the director's)."""
    return user.school_ids_with(Role.DIRECTOR)


def log_schools(user) -> frozenset[int]:
    """The schools whose log ``user`` reads at all (content or not)."""
    return user.school_ids_with(Role.DIRECTOR, Role.SUPERVISOR)


def uses_content_filters(filters: LogFilters) -> bool:
    return bool(filters.student or filters.student_q or filters.case or filters.grant)


def filtered_log(user, filters: LogFilters):
    """The rows of the log ``user`` may read under ``filters``, unordered."""
    content = uses_content_filters(filters)
    schools = content_schools(user) if content else log_schools(user)
    rows = AccessLog.objects.filter(school_id__in=sorted(schools))
    if filters.actor:
        rows = rows.filter(actor_id=filters.actor)
        if filters.actor in school_members(user, [filters.actor], schools):
            # A refusal of a made-up id has no school: one person's rows show them too.
            rows = AccessLog.objects.filter(
                Q(school_id__in=sorted(schools)) | Q(school_id__isnull=True),
                actor_id=filters.actor,
            )
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.kind:
        rows = rows.filter(object_type=filters.kind)
    if filters.start:
        rows = rows.filter(created_at__gte=_local_midnight(filters.start))
    if filters.end:
        rows = rows.filter(created_at__lt=_local_midnight(filters.end + datetime.timedelta(1)))
    if not content:
        return rows
    if filters.student:
        rows = rows.filter(student_id=filters.student)
    if filters.student_q:
        filters.student_ids = _students_matching(user, filters)
        rows = rows.filter(student_id__in=filters.student_ids)
    if filters.case:
        filters.case_ids = [
            str(pk)
            for pk in Case.objects.for_user(user)
            .filter(school_id__in=schools, number=filters.case)
            .values_list("pk", flat=True)
        ]
        if not filters.case_ids:
            filters.notes.append(_("No case has the number %(number)s.") % {"number": filters.case})
        rows = rows.filter(object_type=CASE_TYPE, object_id__in=filters.case_ids)
    if filters.grant:
        rows = rows.filter(grant_id=filters.grant)
    return rows


def school_members(user, actor_ids, schools) -> set[int]:
    """Those of ``actor_ids`` who hold a role in one of ``schools``."""
    if not actor_ids or not schools:
        return set()
    return set(
        RoleAssignment.objects.for_user(user)
        .filter(school_id__in=sorted(schools), user_id__in=sorted(actor_ids))
        .values_list("user_id", flat=True)
    )


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _students_matching(user, filters: LogFilters) -> list[int]:
    wanted = filters.student_q
    students = Student.objects.for_user(user).filter(school_id__in=content_schools(user))
    ids = list(
        students.filter(Q(student_number=wanted) | Q(name__contains=wanted))
        .order_by("pk")
        .values_list("pk", flat=True)[: STUDENT_MATCHES + 1]
    )
    if not ids:
        filters.notes.append(_("No student matches “%(text)s”.") % {"text": wanted})
    elif len(ids) > STUDENT_MATCHES:
        filters.notes.append(
            _("More than %(count)s students match: the first %(count)s are shown; narrow it.")
            % {"count": STUDENT_MATCHES}
        )
        ids = ids[:STUDENT_MATCHES]
    return ids


# --- one keyset page ------------------------------------------------------------------------
@dataclass
class LogPage:
    entries: list[LogEntry]
    newer: int | None  # ?after= for the newer page (None: this is the newest)
    older: int | None  # ?before= for the older page (None: nothing older)


def log_page(user, filters: LogFilters, *, size: int = PAGE_SIZE) -> LogPage:
    rows = filtered_log(user, filters).defer("prev_hash", "row_hash")
    if filters.after:
        chunk = list(rows.filter(seq__gt=filters.after).order_by("seq")[: size + 1])
        has_newer = len(chunk) > size
        chunk = chunk[:size][::-1]
        has_older = bool(chunk) and rows.filter(seq__lt=chunk[-1].seq).exists()
    else:
        if filters.before:
            rows = rows.filter(seq__lt=filters.before)
        chunk = list(rows.order_by("-seq")[: size + 1])
        has_older = len(chunk) > size
        chunk = chunk[:size]
        has_newer = bool(filters.before) and bool(chunk)
    entries = describe(user, chunk)
    return LogPage(
        entries=entries,
        newer=entries[0].seq if has_newer else None,
        older=entries[-1].seq if has_older else None,
    )


def iter_log(user, filters: LogFilters, *, limit: int, chunk: int = 2000):
    """The filtered rows newest first, described, in keyset chunks (the export)."""
    rows = filtered_log(user, filters).defer("prev_hash", "row_hash").order_by("-seq")
    before, given = None, 0
    while given < limit:
        batch = rows.filter(seq__lt=before) if before else rows
        part = list(batch[: min(chunk, limit - given)])
        if not part:
            return
        yield from describe(user, part)
        given += len(part)
        before = part[-1].seq


# --- what a row says -------------------------------------------------------------------------
@dataclass
class LogEntry:
    """A row as shown: with its content for the director of its school, else without."""

    seq: int
    at: datetime.datetime
    person: str
    actor_id: int | None
    username: str
    action: str
    action_label: str
    kind: str
    kind_label: str
    content: bool
    what: str = ""
    student: str = ""
    student_id: int | None = None
    grant_id: int | None = None
    basis: str = ""
    basis_label: str = ""  # the ground in the reader's language (privacy/basis.py)
    ip: str = ""
    path: str = ""


def kind_label(object_type: str) -> str:
    """The kind of record in words: the model's name ("case", "student"), else as written."""
    if object_type == STUDENT_TYPE:
        return _("student file")
    if object_type == LOG_TYPE:
        return _("access log")
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def describe(user, rows: list[AccessLog]) -> list[LogEntry]:
    """The page's rows with names: one query for the people, one for the students, one for
    the cases, whatever the page's length."""
    content = content_schools(user)
    schoolless = {r.actor_id for r in rows if r.school_id is None and r.actor_id}
    members = school_members(user, schoolless, content)
    people = {
        row["pk"]: row["full_name"] or row["username"]
        for row in User.objects.filter(pk__in={r.actor_id for r in rows if r.actor_id}).values(
            "pk", "full_name", "username"
        )
    }
    shown = [row for row in rows if _with_content(row, content, members)]
    students = {
        row["pk"]: f"{row['name']} ({row['student_number']})"
        for row in Student.objects.for_user(user)
        .filter(pk__in={r.student_id for r in shown if r.student_id})
        .values("pk", "name", "student_number")
    }
    case_ids = {
        int(r.object_id) for r in shown if r.object_type == CASE_TYPE and r.object_id.isdigit()
    }
    cases = dict(Case.objects.for_user(user).filter(pk__in=case_ids).values_list("pk", "number"))
    actions = dict(AccessLog.Action.choices)
    entries = []
    for row in rows:
        entry = LogEntry(
            seq=row.seq,
            at=row.created_at,
            person=people.get(row.actor_id, row.actor_username or "—"),
            actor_id=row.actor_id,
            username=row.actor_username,
            action=row.action,
            action_label=str(actions.get(row.action, row.action)),
            kind=row.object_type,
            kind_label=kind_label(row.object_type),
            content=_with_content(row, content, members),
        )
        if entry.content:
            entry.student_id = row.student_id
            entry.student = (
                students.get(row.student_id, f"#{row.student_id}") if row.student_id else ""
            )
            entry.grant_id = row.grant_id
            entry.basis = row.basis
            # A grant's own ground says no more than the grant's link beside it.
            if row.grant_id is None or row.basis != f"{AccessGrant.BASIS_PREFIX}{row.grant_id}":
                entry.basis_label = basis_label(row.basis)
            entry.ip = row.ip or ""
            entry.path = row.path
            entry.what = _what(row, cases)
        entries.append(entry)
    return entries


def _with_content(row: AccessLog, content: frozenset[int], members: set[int]) -> bool:
    """The director's school's row, or a row without a school by one of its people."""
    return row.school_id in content or (row.school_id is None and row.actor_id in members)


def _what(row: AccessLog, cases: dict[int, str]) -> str:
    if row.object_type == CASE_TYPE and row.object_id.isdigit() and int(row.object_id) in cases:
        return _("case %(number)s") % {"number": cases[int(row.object_id)]}
    if row.object_type == STUDENT_TYPE:
        return ""  # the student column names them
    if row.object_id and row.object_id != "list":
        return f"#{row.object_id}"
    return ""


# --- the filter's choices ---------------------------------------------------------------------
def staff_choices(user) -> list[tuple[int, str]]:
    """The school's staff for the person filter (pupils and families are reached from a row)."""
    schools = sorted(log_schools(user))
    staff_roles = sorted({r.value for r in Role} - {r.value for r in PUPIL_AND_FAMILY_ROLES})
    holders = (
        RoleAssignment.objects.for_user(user)
        .filter(school_id__in=schools, role__in=staff_roles)
        .values("user_id")
    )
    people = User.objects.filter(pk__in=holders).order_by("full_name", "username")
    return [(person.pk, person.display_name) for person in people]


# The kinds of record the code writes rows about; those not installed are left out.
KINDS = (
    CASE_TYPE,
    STUDENT_TYPE,
    "people.StudentCircumstances",
    "cases.Referral",
    "cases.Conference",
    "cases.TypicalCase",
    "crisis.Alert",
    "crisis.CrisisRecord",
    "crisis.EmergencyAccess",
    "crisis.WeeklyReport",
    "crisis.WorriedItem",
    "letters.Letter",
    "rooms.Intake",
    "rooms.DutyLog",
    "screening.Campaign",
    "screening.FollowUp",
    "screening.Participation",
    LOG_TYPE,
)


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of record for the filter, by name."""
    known = []
    for kind in KINDS:
        try:
            apps.get_model(kind)
        except LookupError:
            continue
        known.append((kind, kind_label(kind)))
    return sorted(known, key=lambda pair: pair[1])
