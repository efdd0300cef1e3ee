"""Access rows of the research exports (reports/urls.py, reports/api.py; see
tests/test_access_sweep.py).

A school's director makes, lists and downloads its exports; the district center its district's.
One export is confidential material: everyone else, and another school's director, is told
"not found" and the refusal is written to the access log.
"""

from __future__ import annotations

import base64
import datetime

from django.utils import timezone

from tests.access import Route
from xinqiao.reports.models import ResearchExport

MAKERS = frozenset({"director", "district"})
DIRECTOR = frozenset({"director"})


def own_export(cast) -> int:
    """A finished export of the cast's school whose file is still kept."""
    export = ResearchExport.objects.create(
        school=cast.school,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        k=5,
        include=["statistics"],
        requested_by=cast.director,
        requested_by_name=cast.director.display_name,
        status=ResearchExport.Status.DONE,
        percent=100,
        file_name="research.xlsx",
        file_sha256="0" * 64,
        content=base64.b64encode(b"not really a workbook").decode(),
        file_kept_until=timezone.now() + datetime.timedelta(days=7),
    )
    return export.pk


ROUTES = [
    Route("reports:research_list", MAKERS),
    Route("reports:research_list", MAKERS, data={"status": "done", "year": "2026"}),
    Route("reports:research_new", MAKERS),
    # A form sent empty: 400 with its messages, nothing made.
    Route("reports:research_new", MAKERS, method="post", ok=(400,)),
    Route("reports:research_detail", DIRECTOR, kwargs={"pk": own_export}, confidential=True),
    Route("reports:research_download", DIRECTOR, kwargs={"pk": own_export}, confidential=True),
    Route("GET /api/reports/research-exports", MAKERS),
    # Neither a school nor a district named: 400 for the makers (nothing made), refused for
    # everyone else.
    Route(
        "POST /api/reports/research-exports",
        MAKERS,
        method="post",
        data={"period_start": "2026-01-01", "period_end": "2026-02-01"},
        ok=(400,),
    ),
    Route(
        "GET /api/reports/research-exports/{export_id}",
        DIRECTOR,
        kwargs={"export_id": own_export},
        confidential=True,
    ),
    Route(
        "GET /api/reports/research-exports/{export_id}/file",
        DIRECTOR,
        kwargs={"export_id": own_export},
        confidential=True,
    ),
]
