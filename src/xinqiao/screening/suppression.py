"""Small counts hidden from readers outside the counseling side, so no hidden count can be worked
out from the totals around it (seeds 001/004: individual results are confidential; issue 15:
leadership sees aggregates with groups under 5 suppressed).

A table is a set of counts (cells) and the sums that tie them together (a class's bands add up
to the class's submitted count, the classes of a grade add up to the grade, the grades to the
school). Some cells are public: the reader knows them exactly from elsewhere (completion per
class is shown to leadership on the completion page), so they are never hidden and the rest
must be safe *given* them.

1. Every count from 1 to 4, and every cell of a group with fewer than 5 members, is hidden
   ("small": shown as "<5").
2. The reader's knowledge is worked out as intervals: a shown cell is exact, a small one lies in
   1..4 (0..4 in a small group), a cell hidden to protect another ("complement") is 5 or more.
   Each sum narrows the intervals of its cells until nothing changes.
3. Any hidden cell whose interval has shrunk to one value could be worked out: one more cell of a
   sum it is in is hidden (the smallest shown non-zero part, else the shown whole, else a shown
   zero) and step 2 runs again; it ends because each round hides one more cell.

Interval reasoning is what a reader with a pencil does; it is not a full integer solver, so the
rule errs on hiding more (every complement is assumed known to be at least 5).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

SUPPRESS_BELOW = 5
SMALL = "small"
COMPLEMENT = "complement"


@dataclass
class Table:
    cells: dict[Hashable, int] = field(default_factory=dict)
    # whole = sum(parts)
    sums: list[tuple[Hashable, tuple[Hashable, ...]]] = field(default_factory=list)
    public: set[Hashable] = field(default_factory=set)
    # Cells hidden whatever their count (every band of a group under 5): 0..4 to the reader.
    whole_group_hidden: set[Hashable] = field(default_factory=set)

    def add(self, key: Hashable, value: int, *, public: bool = False) -> None:
        self.cells[key] = value
        if public:
            self.public.add(key)

    def add_sum(self, whole: Hashable, parts: Iterable[Hashable]) -> None:
        parts = tuple(parts)
        if parts:
            self.sums.append((whole, parts))


def suppress(table: Table) -> dict[Hashable, str]:
    """The hidden cells of ``table`` and why (SMALL or COMPLEMENT)."""
    hidden: dict[Hashable, str] = {}
    for key, value in table.cells.items():
        if key in table.public:
            continue
        if key in table.whole_group_hidden or 0 < value < SUPPRESS_BELOW:
            hidden[key] = SMALL
    for _round in range(len(table.cells) + 1):
        leak = _first_leak(table, hidden)
        if leak is None:
            return hidden
        extra = _complement_for(table, hidden, leak)
        if extra is None:
            # Nothing left to hide around it (cannot happen with public wholes only on
            # top): hide every non-public cell rather than show a derivable one.
            return {
                key: hidden.get(key, COMPLEMENT) for key in table.cells if key not in table.public
            }
        hidden[extra] = COMPLEMENT
    return hidden


def _initial_bounds(table: Table, hidden: dict[Hashable, str]) -> dict[Hashable, list[float]]:
    bounds = {}
    for key, value in table.cells.items():
        reason = hidden.get(key)
        if reason is None:
            bounds[key] = [value, value]
        elif reason == SMALL:
            low = 0 if key in table.whole_group_hidden else 1
            bounds[key] = [low, SUPPRESS_BELOW - 1]
        else:
            bounds[key] = [0 if value == 0 else SUPPRESS_BELOW, math.inf]
    return bounds


def _propagate(table: Table, bounds: dict[Hashable, list[float]]) -> None:
    for _round in range(100):
        changed = False
        for whole, parts in table.sums:
            lows = [bounds[p][0] for p in parts]
            highs = [bounds[p][1] for p in parts]
            low_sum, high_sum = sum(lows), sum(highs)
            w = bounds[whole]
            if low_sum > w[0]:
                w[0], changed = low_sum, True
            if high_sum < w[1]:
                w[1], changed = high_sum, True
            for index, part in enumerate(parts):
                b = bounds[part]
                others_high = high_sum - highs[index]
                others_low = low_sum - lows[index]
                low = w[0] - others_high
                high = w[1] - others_low
                if low > b[0]:
                    b[0], changed = low, True
                if high < b[1]:
                    b[1], changed = high, True
        if not changed:
            return


def _first_leak(table: Table, hidden: dict[Hashable, str]) -> Hashable | None:
    bounds = _initial_bounds(table, hidden)
    _propagate(table, bounds)
    for key in hidden:
        low, high = bounds[key]
        if low == high:
            return key
    return None


def _complement_for(table: Table, hidden: dict[Hashable, str], leak: Hashable) -> Hashable | None:
    def shown(key) -> bool:
        return key not in hidden and key not in table.public

    candidates = []
    for whole, parts in table.sums:
        if leak != whole and leak not in parts:
            continue
        nonzero = [p for p in parts if shown(p) and table.cells[p] > 0]
        if nonzero:
            candidates.append((0, *min((table.cells[p], str(p)) for p in nonzero)))
        elif shown(whole):
            candidates.append((1, table.cells[whole], str(whole)))
        else:
            zeros = [p for p in parts if shown(p)]
            if zeros:
                candidates.append((2, 0, str(zeros[0])))
    if not candidates:
        return None
    wanted = min(candidates)[2]
    return next(key for key in table.cells if str(key) == wanted)
