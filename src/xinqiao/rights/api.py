"""The API of guardians' record requests, with the pages' rules (rights/rules.py) and getter.

A guardian asks and follows their own requests; the director takes them up, decides and
releases; a counselor of the child's cases reviews the session records. Texts are answered
to those who may read the request; the copy downloads as the page's does, logged.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from xinqiao.core.access import require
from xinqiao.core.api import JsonOrForm
from xinqiao.rights import services
from xinqiao.rights.access import get_request_or_refuse
from xinqiao.rights.models import RecordRequest
from xinqiao.rights.views import copy_response, filter_requests

router = Router(tags=["rights"])

Kind = Literal[tuple(RecordRequest.Kind.values)]  # type: ignore[valid-type]
Outcome = Literal[tuple(RecordRequest.Outcome.values)]  # type: ignore[valid-type]
Part = Literal[tuple(RecordRequest.Part.values)]  # type: ignore[valid-type]


class RequestIn(Schema):
    child_id: int
    kind: Kind
    asked: str = Field(..., min_length=1, max_length=4000)
    record_reference: str = Field("", max_length=500)
    correction: str = Field("", max_length=4000)
    key: str = Field("", max_length=64, description="A retry with the same key stores nothing new")


class DecisionIn(Schema):
    outcome: Outcome
    reasons: str = Field("", max_length=4000)
    parts: list[Part] = []
    record_id: int | None = Field(None, description="A correction: the session record corrected")
    correction_text: str = Field("", max_length=4000)


class ReviewIn(Schema):
    reviewed: list[int] = []
    releasable: list[int] = []


class RequestOut(Schema):
    id: int
    number: str
    student_id: int
    student_name: str = Field(..., alias="student.name")
    guardian_name: str
    kind: str
    state: str
    outcome: str
    parts: list[str]
    received_at: datetime.datetime
    due_at: datetime.datetime
    decided_at: datetime.datetime | None
    released_at: datetime.datetime | None


class RequestDetailOut(RequestOut):
    asked: str
    record_reference: str
    correction: str
    reasons: str


class ListFilters(Schema):
    state: str = "open"
    due: Literal["", "soon", "overdue"] = ""


def _clean(error: ValidationError) -> HttpError:
    return HttpError(400, " ".join(error.messages))


@router.get("/requests", response=list[RequestOut], summary="Record requests the caller may see")
def request_list(request, filters: Query[ListFilters]):
    user = request.auth
    visible = RecordRequest.objects.for_user(user).select_related("student")
    if user.has_perm("rights.view_request_list"):
        return list(filter_requests(visible, state=filters.state, due=filters.due)[:200])
    require(user, "rights.ask")
    return list(visible.filter(guardian_id=user.pk).order_by("-received_at")[:200])


@router.post(
    "/requests",
    response={200: RequestDetailOut, 201: RequestDetailOut},
    summary="A linked guardian asks for a copy or a correction of their child's records",
)
def request_submit(request, payload: Annotated[RequestIn, JsonOrForm(...)]):
    user = request.auth
    require(user, "rights.ask")
    child = next((c for c in services.linked_children(user) if c.pk == payload.child_id), None)
    if child is None:
        raise Http404
    key = f"api:{user.pk}:{payload.key}" if payload.key else None
    existed = services.submitted_before(key)
    try:
        item = services.request_submit(
            actor=user,
            student=child,
            kind=payload.kind,
            asked=payload.asked,
            record_reference=payload.record_reference,
            correction=payload.correction,
            submission_key=key,
        )
    except ValidationError as error:
        raise _clean(error) from None
    return Status(200 if existed else 201, item)


@router.get("/requests/{request_id}", response=RequestDetailOut, summary="One record request")
def request_detail(request, request_id: int):
    return get_request_or_refuse(request, request_id)


def _step(request, request_id: int, perm: str, step) -> RecordRequest:
    item = get_request_or_refuse(request, request_id, perm)
    try:
        return step(item)
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from None


@router.post("/requests/{request_id}/take-up", response=RequestOut, summary="Director: review")
def request_take_up(request, request_id: int):
    return _step(
        request,
        request_id,
        "rights.decide",
        lambda item: services.request_take_up(actor=request.auth, request=item),
    )


@router.post(
    "/requests/{request_id}/review",
    response=RequestOut,
    summary="A counselor of the child's cases marks which session records may be released",
)
def request_review(request, request_id: int, payload: Annotated[ReviewIn, JsonOrForm(...)]):
    def step(item):
        services.notes_review(
            actor=request.auth,
            request=item,
            reviewed=payload.reviewed,
            releasable=payload.releasable,
        )
        return item

    return _step(request, request_id, "rights.review_notes", step)


@router.post("/requests/{request_id}/decide", response=RequestOut, summary="Director: decide")
def request_decide(request, request_id: int, payload: Annotated[DecisionIn, JsonOrForm(...)]):
    item = get_request_or_refuse(request, request_id, "rights.decide")
    record = None
    if payload.record_id is not None:
        record = services.child_records(item).filter(pk=payload.record_id).first()
        if record is None:
            raise HttpError(400, "record_id is not one of the child's records.")
    try:
        return services.request_decide(
            actor=request.auth,
            request=item,
            outcome=payload.outcome,
            reasons=payload.reasons,
            parts=payload.parts,
            record=record,
            correction_text=payload.correction_text,
            http_request=request,
        )
    except ValidationError as error:
        raise _clean(error) from None


@router.post(
    "/requests/{request_id}/release", response=RequestOut, summary="Director: release the copy"
)
def request_release(request, request_id: int):
    return _step(
        request,
        request_id,
        "rights.decide",
        lambda item: services.request_release(
            actor=request.auth, request=item, http_request=request
        ),
    )


@router.post("/requests/{request_id}/withdraw", response=RequestOut, summary="Guardian: withdraw")
def request_withdraw(request, request_id: int):
    return _step(
        request,
        request_id,
        "rights.withdraw",
        lambda item: services.request_withdraw(actor=request.auth, request=item),
    )


@router.get(
    "/requests/{request_id}/copy",
    summary="The released copy (.docx), watermarked; the guardian who asked and the director",
)
def request_copy(request, request_id: int):
    return copy_response(request, request_id)
