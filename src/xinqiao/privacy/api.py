"""The privacy API: the access log (keyset pages) and the flags, with the pages' rules.

``GET /api/privacy/log`` takes the page's filters and ``before`` (the ``next_before`` of the
previous answer); the supervision group gets the rows without content (the fields that carry
it are null). Every call is a row of the log, as every page is.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinqiao.core.access import get_or_refuse, require
from xinqiao.core.api import JsonOrForm
from xinqiao.core.params import Day
from xinqiao.privacy import selectors, services
from xinqiao.privacy.models import AccessFlag
from xinqiao.privacy.views import record_log_view

router = Router(tags=["privacy"])


class LogQuery(Schema):
    actor: int | None = None
    student: int | None = None
    student_q: str = ""
    case: str = ""
    grant: int | None = None
    action: str = ""
    kind: str = ""
    start: Day | None = None
    end: Day | None = None
    before: int | None = None


class LogEntryOut(Schema):
    seq: int
    at: datetime.datetime
    person: str
    actor_id: int | None
    username: str
    action: str
    kind: str
    content: bool
    what: str | None = None
    student_id: int | None = None
    student: str | None = None
    grant_id: int | None = None
    basis: str | None = None


class LogPageOut(Schema):
    items: list[LogEntryOut]
    next_before: int | None


class FlagOut(Schema):
    id: int
    kind: str
    actor_id: int | None
    actor_username: str
    count: int
    started_at: datetime.datetime
    ended_at: datetime.datetime
    first_seq: int
    last_seq: int
    created_at: datetime.datetime
    reviewed_at: datetime.datetime | None


class ReviewIn(Schema):
    note: str


ReviewBody = Annotated[ReviewIn, JsonOrForm(...)]


def _out(entry: selectors.LogEntry) -> dict:
    data = {
        "seq": entry.seq,
        "at": entry.at,
        "person": entry.person,
        "actor_id": entry.actor_id,
        "username": entry.username,
        "action": entry.action,
        "kind": entry.kind,
        "content": entry.content,
    }
    if entry.content:
        data |= {
            "what": entry.what,
            "student_id": entry.student_id,
            "student": entry.student,
            "grant_id": entry.grant_id,
            "basis": entry.basis,
        }
    return data


@router.get(
    "/log",
    response=LogPageOut,
    summary="The access log, newest first, one keyset page (the director with content, the "
    "supervision group without); the call is itself logged",
)
def log(request, query: Query[LogQuery]):
    user = request.auth
    require(user, "privacy.view_access_log")
    params = {key: value for key, value in query.dict().items() if value not in (None, "")}
    filters = selectors.parse_filters({key: str(value) for key, value in params.items()})
    if not user.has_perm("privacy.view_access_log_content"):
        filters.student, filters.student_q, filters.case, filters.grant = None, "", "", None
    page = selectors.log_page(user, filters)
    record_log_view(request, "read", filters)
    return {"items": [_out(entry) for entry in page.entries], "next_before": page.older}


@router.get("/flags", response=list[FlagOut], summary="The flags of unusual reading (directors)")
@paginate
def flag_list(request, kind: str = "", reviewed: bool | None = None):
    require(request.auth, "privacy.view_access_flags")
    flags = AccessFlag.objects.for_user(request.auth)
    if kind:
        flags = flags.filter(kind=kind)
    if reviewed is not None:
        flags = flags.filter(reviewed_at__isnull=not reviewed)
    return flags.order_by("-created_at", "-id")


@router.post(
    "/flags/{flag_id}/review",
    response=FlagOut,
    summary="Mark a flag reviewed with a note (directors; once)",
)
def flag_review(request, flag_id: int, payload: ReviewBody):
    flag = get_or_refuse(request, AccessFlag, flag_id, "privacy.review_access_flag")
    try:
        return services.flag_review(actor=request.auth, flag=flag, note=payload.note)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
