"""Access rows of the crisis API (crisis/api.py; see tests/test_access_sweep.py)."""

from tests.access import SECOND_COUNSELOR, Route
from tests.crisis.access_table import COUNSELING, TOLD_OF_A_CRISIS, crisis_alert

ANONYMOUS_CALLER = {
    "risk_level": "high",
    "source": "duty_phone",
    "evidence": "来电者说同学在天台上",
    "person_description": "初二女生，姓名不详",
}

ROUTES = [
    # Counseling and duty staff raise alerts in their own school (another school's staff in
    # theirs: the request names no student).
    Route(
        "POST /api/crisis/alerts",
        COUNSELING | {"duty"},
        method="post",
        data=ANONYMOUS_CALLER,
        ok=(201,),
    ),
    Route(
        "POST /api/crisis/alerts/{alert_id}/acknowledge",
        TOLD_OF_A_CRISIS,
        kwargs={"alert_id": crisis_alert},
        method="post",
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
]
