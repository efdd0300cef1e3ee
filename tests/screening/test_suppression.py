"""Small counts hidden from leadership (screening/suppression.py): checked against brute force."""

from __future__ import annotations

import itertools

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xinqiao.screening import suppression


def _possible_values(counts: list[int], hidden: dict) -> dict[int, set[int]]:
    """Every value each hidden cell can take given the shown cells and the known total, with
    "<5" read as 1..4 (0..4 in a group under 5) and a cell hidden to protect another as 0 or
    at least 5."""
    total = sum(counts)
    keys = [i for i in range(len(counts)) if i in hidden]
    shown = sum(c for i, c in enumerate(counts) if i not in hidden)
    small_group = total < suppression.SUPPRESS_BELOW
    domains = [
        range(0 if small_group else 1, 5)
        if hidden[i] == suppression.SMALL
        else [0, *range(5, total + 1)]
        for i in keys
    ]
    seen: dict[int, set[int]] = {i: set() for i in keys}
    if not keys:
        return seen
    # The last hidden cell is what the total leaves: enumerate the others only.
    last_domain = set(domains[-1])
    for values in itertools.product(*domains[:-1]):
        last = total - shown - sum(values)
        if last in last_domain:
            for i, v in zip(keys, (*values, last), strict=True):
                seen[i].add(v)
    return seen


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=5))
def test_no_count_under_five_is_shown_or_can_be_worked_out_from_a_known_total(counts):
    table = suppression.Table()
    table.add("n", sum(counts), public=True)
    for i, count in enumerate(counts):
        table.add(i, count)
    table.add_sum("n", range(len(counts)))
    if sum(counts) < suppression.SUPPRESS_BELOW:  # a group under 5: no distribution at all
        table.whole_group_hidden.update(range(len(counts)))
    hidden = suppression.suppress(table)
    assert all(i in hidden for i, c in enumerate(counts) if 0 < c < 5)
    # Where even hiding every cell leaves a count known (8 = "<5" + "<5" is 4 + 4), no rule
    # can help: the total is public. Every other table must protect its small counts.
    everything = {i: hidden.get(i, suppression.COMPLEMENT) for i in range(len(counts))}
    assume(
        all(
            len(values) >= 2
            for i, values in _possible_values(counts, everything).items()
            if 0 < counts[i] < 5
        )
    )
    possible = _possible_values(counts, hidden)
    for i, values in possible.items():
        if 0 < counts[i] < 5:
            assert len(values) >= 2, (counts, hidden, possible)
