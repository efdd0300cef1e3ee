"""Access rows of the screening API (screening/api.py; see tests/test_access_sweep.py).

A respondent alone opens, saves and submits their questionnaire; results are the counseling
side's; follow-ups the counseling side's and (names only) the class teacher's."""

from __future__ import annotations

import json

from django.test import override_settings

from tests.access import EVERYONE, Route
from tests.screening.access_table_reports import COUNSELING, campaign

# Campaign.visibility_q: the school's staff, and the students concerned and their guardians.
CAMPAIGN_READERS = COUNSELING | {
    "principal",
    "vice_principal",
    "duty",
    "class_teacher",
    "grade_leader",
    "student_affairs",
    "supervisor",
    "student",
    "guardian",
}
RESPONDENT = frozenset({"student"})


def answered_participation(cast) -> int:
    """The cast student's place in a new campaign, every PHQ-9 question answered (not sent)."""
    from tests.screening.factories import open_campaign, participation_of
    from xinqiao.screening.library import DEMO_WORDINGS_DIR
    from xinqiao.screening.services import answers_save

    with override_settings(SCREENING_EXTRA_SCALE_DIRS=[DEMO_WORDINGS_DIR]):
        participation = participation_of(open_campaign(cast), cast.student_record)
        answers = {f"q{i}": 0 for i in range(1, 10)}
        answers_save(participation=participation, scale_id="phq9", answers=answers, seq=1)
    return participation.pk


ROUTES = [
    Route("GET /api/screening/campaigns", EVERYONE),
    Route(
        "GET /api/screening/campaigns/{campaign_id}", CAMPAIGN_READERS, {"campaign_id": campaign}
    ),
    Route("GET /api/screening/questionnaires", EVERYONE),
    Route(
        "GET /api/screening/questionnaires/{participation_id}",
        RESPONDENT,
        kwargs={"participation_id": answered_participation},
    ),
    Route(
        "PUT /api/screening/questionnaires/{participation_id}/answers",
        RESPONDENT,
        kwargs={"participation_id": answered_participation},
        method="put",
        data=json.dumps({"scale": "phq9", "answers": {"q1": 1}, "seq": 2}),
    ),
    Route(
        "POST /api/screening/questionnaires/{participation_id}/submit",
        RESPONDENT,
        kwargs={"participation_id": answered_participation},
        method="post",
    ),
    # Without a campaign the counseling side is asked which (400), everyone else refused.
    Route("GET /api/screening/results", COUNSELING, ok=(400,)),
    Route("GET /api/screening/results?campaign={campaign}", COUNSELING, {"campaign": campaign}),
    Route("GET /api/screening/follow-ups", COUNSELING | {"class_teacher"}),
]
