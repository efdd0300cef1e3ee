"""Access rows of the privacy app (privacy/urls.py, privacy/api.py; tests/test_access_sweep.py).

The director reads the school's log with content and reviews flags; the supervision group
reads the log (and exports it) without content; nobody else, the administrator included
(privacy/rules.py says why). Another school's director reads their own school's log (a list
names no object) and is refused this school's student history and flags.
"""

from tests.access import Route
from tests.privacy.helpers import flag_of

LOG = frozenset({"director", "supervisor"})
DIRECTOR = frozenset({"director"})

student = {"student_pk": lambda cast: cast.student_record.pk}
flag = {"pk": lambda cast: flag_of(cast).pk}
flag_api = {"flag_id": lambda cast: flag_of(cast).pk}

ROUTES = [
    Route("privacy:log", LOG),
    Route(
        "privacy:log",
        LOG,
        data={"actor": "1", "student_q": "何", "case": "X-1", "grant": "3", "action": "read"},
    ),
    Route("privacy:log", LOG, data={"start": "2026-01-01", "end": "2026-12-31", "before": "9"}),
    Route("privacy:log_export", LOG),
    Route("privacy:student_history", DIRECTOR, kwargs=student),
    Route("privacy:flag_list", DIRECTOR),
    Route("privacy:flag_list", DIRECTOR, data={"kind": "many_files", "state": "all"}),
    Route("privacy:flag_detail", DIRECTOR, kwargs=flag),
    Route(
        "privacy:flag_detail",
        DIRECTOR,
        kwargs=flag,
        method="post",
        data={"note": "与该老师核实：筛查后的集中复查。"},
        ok=(302,),
    ),
    Route("GET /api/privacy/log", LOG),
    Route("GET /api/privacy/log", LOG, data={"student": "1", "before": "100"}),
    Route("GET /api/privacy/flags", DIRECTOR),
    Route(
        "POST /api/privacy/flags/{flag_id}/review",
        DIRECTOR,
        kwargs=flag_api,
        method="post",
        data={"note": "已核实。"},
    ),
]
