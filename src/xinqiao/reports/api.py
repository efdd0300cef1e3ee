"""The research export API: the same rules, services and access log as the pages
(reports/rules.py, reports/services_research.py). An export is asked for, followed until it is
ready, and downloaded; the register lists what the caller's schools or district made."""

from __future__ import annotations

import datetime
import hashlib
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from xinqiao.core.access import get_or_refuse, require
from xinqiao.core.api import JsonOrForm
from xinqiao.core.deidentify_table import default_k
from xinqiao.core.exports import download
from xinqiao.core.roles import Role
from xinqiao.core.xlsx import XLSX_CONTENT_TYPE
from xinqiao.people.models import District, School
from xinqiao.reports import services_research
from xinqiao.reports.models import ResearchExport

router = Router(tags=["reports"])

MAKE = "reports.make_research_export"


class ResearchExportIn(Schema):
    """One school (``school_id``, its director) or one district (``district_id``, its center);
    the period; k (default 5); what to include (default everything)."""

    school_id: int | None = None
    district_id: int | None = None
    period_start: datetime.date
    period_end: datetime.date
    k: int = Field(default_factory=default_k)
    include: list[ResearchExport.Include] = Field(
        default_factory=lambda: list(ResearchExport.Include)
    )
    submission_key: str | None = Field(None, max_length=64)


class ResearchExportOut(Schema):
    id: int
    school_id: int | None
    district_id: int | None
    period_start: datetime.date
    period_end: datetime.date
    k: int
    include: list[str]
    requested_by_name: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    status: str
    percent: int
    cases_considered: int
    rows_released: int
    rows_suppressed: int
    left_out_no_consent: int
    smallest_group: int
    file_sha256: str
    file_available: bool


ExportBody = Annotated[ResearchExportIn, JsonOrForm(...)]


@router.get(
    "/research-exports",
    response=list[ResearchExportOut],
    summary="The register of research exports (the caller's schools or district)",
)
@paginate
def research_export_list(request):
    require(request.auth, MAKE)
    return ResearchExport.objects.for_user(request.auth).order_by("-created_at", "-id")


@router.post(
    "/research-exports",
    response={201: ResearchExportOut},
    summary="Ask for a de-identified research export (made by the task queue)",
)
def research_export_create(request, payload: ExportBody):
    user = request.auth
    require(user, MAKE)
    school = district = None
    if payload.school_id is not None:
        if not user.has_role(Role.DIRECTOR, school_id=payload.school_id):
            raise HttpError(403, "Forbidden")
        school = School.objects.for_user(user).filter(pk=payload.school_id).first()
    elif payload.district_id is not None:
        if not (user.has_role(Role.DISTRICT) and payload.district_id in user.district_ids):
            raise HttpError(403, "Forbidden")
        district = District.objects.get(pk=payload.district_id)
    key = payload.submission_key
    if key:
        key = hashlib.sha256(f"api|{user.pk}|{key}".encode()).hexdigest()
    try:
        export = services_research.research_export_request(
            actor=user,
            school=school,
            district=district,
            period_start=payload.period_start,
            period_end=payload.period_end,
            k=payload.k,
            include=[str(i.value) for i in payload.include],
            submission_key=key,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    export.refresh_from_db()
    return Status(201, export)


@router.get(
    "/research-exports/{export_id}",
    response=ResearchExportOut,
    summary="One research export: its progress and what it released",
)
def research_export_detail(request, export_id: int):
    return get_or_refuse(request, ResearchExport, export_id, "reports.view_research_export")


@router.get(
    "/research-exports/{export_id}/file",
    response={200: None},
    summary="Download the export's .xlsx (written to the access log)",
)
def research_export_file(request, export_id: int):
    export = get_or_refuse(request, ResearchExport, export_id, "reports.download_research_export")
    try:
        content = services_research.research_export_download(
            actor=request.auth, export=export, request=request
        )
    except ValidationError as error:
        raise HttpError(410, " ".join(error.messages)) from None
    return download(content, content_type=XLSX_CONTENT_TYPE, filename=export.file_name)
