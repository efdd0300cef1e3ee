"""Access rows of the counseling statistics page (cases/urls_stats.py; see tests/test_access_sweep.py).

Counts only, no case is opened: the school's counseling staff and its leadership.
"""

from tests.access import Route

STATISTICS = frozenset({"director", "counselor", "principal", "vice_principal"})

ROUTES = [
    Route("cases:statistics", STATISTICS),
    # A semester or school that is not the caller's falls back to the default.
    Route("cases:statistics", STATISTICS, data={"semester": "999999", "school": "888888"}),
]
