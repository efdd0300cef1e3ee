"""The tabular side of the de-identification engine (core/deidentify.py is the text side):
direct identifiers are never put in a row; quasi-identifiers are generalised along hierarchies
(age → age band, class → grade → school stage, date → month → quarter → year, problem category
→ group); and rows of small groups are suppressed so that every released combination of
quasi-identifiers covers at least ``k`` students (k-anonymity).

Seed 000: "在研究和写作中需要引用学生的资料时，必须隐去可能辨认出来访学生的有关信息". Research
exports (reports/services_research.py) release their rows through ``k_anonymise``; typical cases
(cases/services_typical.py) describe their student with the same ``age_band``, ``grade_stage``
and ``duration_weeks``.

Why this is written here rather than taken from a library. The maintained Python options were
weighed (December 2026): ``anjana`` 1.2.3 and ``pycanon`` 1.3.6 (both Apache-2.0, IFCA) do
generalisation, suppression and the k / l / t checks, but pin exact versions of numpy 2.0.2,
pandas 2.3.3, scipy 1.15.3, reportlab, pyreadstat, typer, beartype and docutils (``anjana`` even
pins an older ``pycanon`` than the newest): some 150 MB of scientific stack on a school's small
server, and exact pins that would freeze every other dependency the project shares with them.
What the export needs is one full-domain generalisation step and the suppression of what is
left (Sweeney's Datafly: generalise the quasi-identifier with the most distinct values until at
most ``max_suppressed`` of the rows fall in groups smaller than k, then suppress those rows), a
few dozen lines whose guarantee a property test checks on random data
(tests/core/test_deidentify_table.py). Should the project later need l-diversity or
t-closeness, ``anjana`` is the library to take.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

ANY = "*"  # the top of every hierarchy: the value withheld
UNKNOWN = "?"
DEFAULT_K = 5
# Datafly stops generalising once at most this share of the rows would be suppressed.
DEFAULT_MAX_SUPPRESSED = 0.1


def default_k() -> int:
    """The k a research export starts from (``XINQIAO_RESEARCH_EXPORT_K``)."""
    return int(getattr(settings, "RESEARCH_EXPORT_K", DEFAULT_K))


# --- generalisation functions (shared with typical cases) ----------------------------------------
def age_on(birth_date: datetime.date | None, on: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_band(age: int | None, width: int = 2) -> str:
    """``13`` → ``"12–13"`` (width 2), ``"12–15"`` (width 4); unknown ages stay unknown."""
    if age is None:
        return UNKNOWN
    start = (age // width) * width
    return f"{start}–{start + width - 1}"


def age_stage(age: int | None) -> str:
    """The coarsest age band: under 12, 12–14, 15–17, 18 and over."""
    if age is None:
        return UNKNOWN
    if age < 12:
        return "<12"
    if age < 15:
        return "12–14"
    if age < 18:
        return "15–17"
    return "18+"


def grade_stage(level: int | None) -> str:
    """A grade's level (1 = first grade of primary school ... 12) → the school stage."""
    if level is None:
        return UNKNOWN
    if level <= 6:
        return _("primary school")
    if level <= 9:
        return _("junior secondary")
    return _("senior secondary")


def month_label(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def quarter_label(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def year_label(day: datetime.date) -> str:
    return str(day.year)


def duration_weeks(start: datetime.date, end: datetime.date) -> int:
    """Weeks from ``start`` to ``end``, a begun week counted whole, at least one."""
    return max(1, -(-(end - start).days // 7))


# --- hierarchies ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hierarchy:
    """How one quasi-identifier is generalised: ``levels[0]`` is the least general form of the
    raw value, each next one coarser; the value withheld (``ANY``) follows the last."""

    label: str
    levels: tuple[Callable[[Any], Hashable], ...]
    level_names: tuple[str, ...] = ()  # what each level releases, for the export's notes

    @property
    def top(self) -> int:
        return len(self.levels)

    def apply(self, value: Any, level: int) -> Hashable:
        return ANY if level >= self.top else self.levels[level](value)


def age_hierarchy(label: str) -> Hierarchy:
    return Hierarchy(
        label,
        (age_band, lambda a: age_band(a, 4), age_stage),
        (_("2-year bands"), _("4-year bands"), _("school-age stages")),
    )


def date_hierarchy(label: str) -> Hierarchy:
    return Hierarchy(
        label, (month_label, quarter_label, year_label), (_("month"), _("quarter"), _("year"))
    )


def grade_hierarchy(label: str) -> Hierarchy:
    """Raw value: (grade name, level)."""
    return Hierarchy(
        label,
        (lambda g: g[0] or UNKNOWN, lambda g: grade_stage(g[1])),
        (_("grade"), _("school stage")),
    )


def mapped_hierarchy(label: str, groups: dict[Hashable, Hashable], other: str) -> Hierarchy:
    """A value, then the group it belongs to (``other`` for a value no group names)."""
    return Hierarchy(
        label,
        (lambda v: v or UNKNOWN, lambda v: groups.get(v, other)),
        (_("as recorded"), _("merged groups")),
    )


def plain_hierarchy(label: str) -> Hierarchy:
    """The value, or nothing (gender, school)."""
    return Hierarchy(label, (lambda v: v or UNKNOWN,), (_("as recorded"),))


# --- k-anonymity ---------------------------------------------------------------------------------
@dataclass
class Release:
    """The rows released (quasi-identifiers generalised) and what the step did."""

    rows: list[dict[str, Any]]
    suppressed: int
    levels: dict[str, int]
    k: int
    generalised: dict[str, str] = field(default_factory=dict)  # QI → its level's description
    smallest_group: int = 0  # in subjects when they were named, else in rows; 0 when empty


def smallest_group(rows: Sequence[dict[str, Any]], quasi: Iterable[str]) -> int:
    """The k a table achieves: its smallest group of equal quasi-identifiers (0 when empty)."""
    quasi = list(quasi)
    counts = Counter(tuple(row[q] for q in quasi) for row in rows)
    return min(counts.values(), default=0)


def k_anonymise(
    records: Sequence[dict[str, Any]],
    quasi: dict[str, Hierarchy],
    *,
    k: int,
    max_suppressed: float = DEFAULT_MAX_SUPPRESSED,
    subject: str | None = None,
) -> Release:
    """Generalise the ``quasi`` columns of ``records`` (raw values) and suppress small groups
    so that every released combination covers at least ``k`` rows (Datafly, see the module).

    ``subject`` names a column that says whose row it is (a student's id): groups are then
    counted in distinct subjects, so that five cases of one student are not five students;
    that column is not released.

    Columns not named in ``quasi`` are released as they are: the caller puts in no direct
    identifier. Each released row is a new dict; ``records`` are left alone.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    names = list(quasi)
    levels = dict.fromkeys(names, 0)

    def keys() -> list[tuple]:
        return [tuple(quasi[q].apply(record[q], levels[q]) for q in names) for record in records]

    def sizes(current: list[tuple]) -> dict[tuple, int]:
        if subject is None:
            return Counter(current)
        members: dict[tuple, set] = {}
        for record, key in zip(records, current, strict=True):
            members.setdefault(key, set()).add(record[subject])
        return {key: len(found) for key, found in members.items()}

    allowed = int(max_suppressed * len(records))
    while True:
        current = keys()
        size = sizes(current)
        rows_of = Counter(current)
        small = sum(rows_of[key] for key, n in size.items() if n < k)
        if small <= allowed:
            break
        open_ones = [q for q in names if levels[q] < quasi[q].top]
        if not open_ones:
            break
        # The attribute with the most distinct values at its level goes up one level.
        distinct = {q: len({key[names.index(q)] for key in current}) for q in open_ones}
        levels[max(open_ones, key=lambda q: (distinct[q], -names.index(q)))] += 1
    rows = []
    for record, key in zip(records, current, strict=True):
        if size[key] >= k:
            row = {**record, **dict(zip(names, key, strict=True))}
            if subject is not None:
                del row[subject]
            rows.append(row)
    return Release(
        rows=rows,
        suppressed=len(records) - len(rows),
        levels=levels,
        k=k,
        generalised={q: describe_level(quasi[q], levels[q]) for q in names},
        smallest_group=min((n for n in size.values() if n >= k), default=0),
    )


def describe_level(hierarchy: Hierarchy, level: int) -> str:
    if level >= hierarchy.top:
        return _("withheld")
    if level < len(hierarchy.level_names):
        return hierarchy.level_names[level]
    return _("generalised (level %(level)s)") % {"level": level}
