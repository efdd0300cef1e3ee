"""The access grants API (查阅授权, issue 16 item 1): the same services and rules as the pages.

A requester lists and creates their own requests and withdraws one that waits; the director
lists the school's, decides and revokes. A grant is reached through ``cases.access.get_grant``:
404 for missing and not-yours alike, 403 for one seen but not to be acted on, refusals logged.
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinqiao.cases import services_grants as services
from xinqiao.cases.access import get_grant
from xinqiao.cases.models import AccessGrant, Case, CasePart
from xinqiao.core.access import require
from xinqiao.core.access_log import record_access
from xinqiao.core.api import JsonOrForm

router = Router(tags=["access grants"])
DIRECTOR_BASIS = "director of the school: access requests"


class GrantOut(Schema):
    """A grant as its requester sees it: the case by its number only (not its student)."""

    id: int
    kind: str
    case_number: str | None
    student_id: int | None
    state: str
    in_force: bool
    starts_at: datetime.datetime
    expires_at: datetime.datetime
    parts_requested: list[str]
    parts_granted: list[str]

    @staticmethod
    def resolve_case_number(grant: AccessGrant) -> str | None:
        return grant.case.number if grant.case_id else None

    @staticmethod
    def resolve_student_id(grant: AccessGrant) -> int | None:
        return grant.student_id if grant.kind == AccessGrant.Kind.FILE else None

    @staticmethod
    def resolve_parts_requested(grant: AccessGrant) -> list[str]:
        return sorted(grant.requested_parts)

    @staticmethod
    def resolve_parts_granted(grant: AccessGrant) -> list[str]:
        return sorted(grant.granted_parts)


class DirectorGrantOut(GrantOut):
    """What the director decides on: who asked, about whom, and why."""

    requester: str
    student_name: str
    reason: str
    decision_note: str

    @staticmethod
    def resolve_requester(grant: AccessGrant) -> str:
        return grant.requester.display_name

    @staticmethod
    def resolve_student_id(grant: AccessGrant) -> int:
        return grant.student_id

    @staticmethod
    def resolve_student_name(grant: AccessGrant) -> str:
        return grant.student.name


class GrantIn(Schema):
    kind: Literal["case", "file"]
    case_number: str = ""
    student_number: str = ""
    parts: list[CasePart] = []
    ends_at: datetime.datetime
    reason: str


class DecisionIn(Schema):
    decision: Literal["approve", "refuse"]
    parts: list[CasePart] | None = None
    ends_at: datetime.datetime | None = None
    note: str = ""


GrantBody = Annotated[GrantIn, JsonOrForm(...)]
DecisionBody = Annotated[DecisionIn, JsonOrForm(...)]


class GrantFilter(Schema):
    state: AccessGrant.State | None = None
    in_force: bool | None = None
    requester: int | None = None


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _refused(error: ValidationError):
    return HttpError(400, " ".join(error.messages))


def _run(step):
    """One service call; its refusal is a 400 with the service's message."""
    try:
        return step()
    except ValidationError as error:
        raise _refused(error) from None


@router.get("/grants/mine", response=list[GrantOut], summary="The caller's access requests")
@paginate
def grant_mine(request):
    require(request.auth, "cases.request_access")
    return services.grants_of_requester(request.auth)


@router.post("/grants", response={201: GrantOut}, summary="Ask the director for access")
def grant_create(request, payload: GrantBody):
    require(request.auth, "cases.request_access")
    target = services.request_target(
        request.auth,
        kind=payload.kind,
        case_number=payload.case_number,
        student_number=payload.student_number,
    )
    if target is None:
        raise HttpError(400, "No case or student of your school has this number.")
    is_case = isinstance(target, Case)
    try:
        grant = services.grant_request(
            actor=request.auth,
            case=target if is_case else None,
            student=None if is_case else target,
            reason=payload.reason,
            ends_at=_aware(payload.ends_at),
            parts=[str(part) for part in payload.parts],
        )
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, grant)


@router.post(
    "/grants/{grant_id}/withdraw", response=GrantOut, summary="Withdraw a request that waits"
)
def grant_withdraw(request, grant_id: int):
    grant = get_grant(request, grant_id, "cases.withdraw_grant")
    return _run(lambda: services.grant_withdraw(actor=request.auth, grant=grant))


@router.get(
    "/grants", response=list[DirectorGrantOut], summary="The school's access requests (director)"
)
@paginate
def grant_list(request, filters: Query[GrantFilter]):
    require(request.auth, "cases.decide_grants")
    grants = services.grants_to_decide(request.auth)
    if filters.state:
        grants = grants.filter(state=filters.state)
    if filters.in_force is not None:
        in_force = grants.in_force().values("pk")
        grants = (
            grants.filter(pk__in=in_force) if filters.in_force else grants.exclude(pk__in=in_force)
        )
    if filters.requester:
        grants = grants.filter(requester_id=filters.requester)
    record_access(
        actor=request.auth,
        action="read",
        object_type=AccessGrant._meta.label,
        object_id="list",
        basis=DIRECTOR_BASIS,
        request=request,
    )
    return grants


@router.post(
    "/grants/{grant_id}/decision",
    response=DirectorGrantOut,
    summary="Approve (perhaps narrowed, shortened) or refuse a request (director)",
)
def grant_decide(request, grant_id: int, payload: DecisionBody):
    grant = get_grant(request, grant_id, "cases.decide_grant")
    try:
        if payload.decision == "refuse":
            return services.grant_refuse(actor=request.auth, grant=grant, note=payload.note)
        parts = None if payload.parts is None else [str(part) for part in payload.parts]
        return services.grant_approve(
            actor=request.auth,
            grant=grant,
            parts=parts,
            ends_at=_aware(payload.ends_at),
            note=payload.note,
        )
    except ValidationError as error:
        raise _refused(error) from None


@router.post(
    "/grants/{grant_id}/revoke", response=DirectorGrantOut, summary="Revoke a grant at once"
)
def grant_revoke(request, grant_id: int):
    grant = get_grant(request, grant_id, "cases.decide_grant")
    return _run(lambda: services.grant_revoke(actor=request.auth, grant=grant))
