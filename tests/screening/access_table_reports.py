"""Access rows of the screening reports (screening/views_reports.py; tests/test_access_sweep.py).

The counseling side and leadership read the reports (leadership with small counts hidden);
the export and a student's trend are the counseling side's alone."""

from __future__ import annotations

from django.test import override_settings

from tests.access import Route

COUNSELING = frozenset({"director", "counselor"})
REPORT_READERS = COUNSELING | {"principal", "vice_principal"}


def campaign(cast) -> int:
    """An announced campaign of the cast's class (PHQ-9 with the demo wording)."""
    from tests.screening.factories import open_campaign
    from xinqiao.screening.library import DEMO_WORDINGS_DIR

    with override_settings(SCREENING_EXTRA_SCALE_DIRS=[DEMO_WORDINGS_DIR]):
        return open_campaign(cast).pk


ROUTES = [
    Route("screening:reports", REPORT_READERS),
    Route("screening:campaign_report", REPORT_READERS, kwargs={"pk": campaign}),
    Route("screening:export", COUNSELING, kwargs={"pk": campaign}),
    Route(
        "screening:student_trend", COUNSELING, kwargs={"pk": lambda cast: cast.student_record.pk}
    ),
    Route(
        "screening:class_trend", REPORT_READERS, kwargs={"pk": lambda cast: cast.school_class.pk}
    ),
]
