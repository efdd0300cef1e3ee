"""Access rows of the cases API (cases/api.py; see tests/test_access_sweep.py).

The case of these rows is held by the cast's counselor: the director and the counselor read it,
only the counselor writes its records (the director, who reads it, is refused with 403), and
everyone else gets 404 with the refusal in the access log.
"""

from django.utils import timezone

from tests.access import SECOND_COUNSELOR, Route

COUNSELING = frozenset({"director", "counselor"})
CASE_COUNSELOR = frozenset({"counselor"})
STATISTICS = frozenset({"director", "counselor", "principal", "vice_principal"})


def counselors_case(cast) -> int:
    from tests.cases.factories import case_at

    return case_at(cast, "active").pk


case = {"case_id": counselors_case}
RECORD = {
    "kind": "individual",
    "held_at": timezone.localtime().isoformat(),  # within the case, opened the day before
    "place": "心理咨询室",
    "problem": "期中考试前紧张，睡眠不好。",
    "measures_taken": "腹式呼吸练习，约定下周再谈。",
    "student_agreed": True,
}

ROUTES = [
    Route("GET /api/cases/cases", COUNSELING),
    Route("GET /api/cases/cases", COUNSELING, data={"state": "open", "severity": "general"}),
    Route("GET /api/cases/cases/{case_id}", COUNSELING, kwargs=case, confidential=True),
    Route("GET /api/cases/cases/{case_id}/records", COUNSELING, kwargs=case, confidential=True),
    Route(
        "POST /api/cases/cases/{case_id}/records",
        CASE_COUNSELOR,
        kwargs=case,
        method="post",
        data=RECORD,
        ok=(201,),
        confidential=True,
    ),
    # Another school's staff count their own school's cases; the cast's other school has no
    # current term, so there is nothing to count there (404).
    Route("GET /api/cases/statistics", STATISTICS, extras=SECOND_COUNSELOR),
]
