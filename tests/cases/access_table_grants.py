"""Access rows of access grants (查阅授权; see tests/test_access_sweep.py).

The grant of these rows is the cast's duty person's request to read a case held by the cast's
counselor: the school's staff ask and follow their own requests; only the director of the school
lists, decides and revokes; only the duty person withdraws theirs. Another school's staff and
the second counselor are told "not found", with the refusal in the access log.
"""

import datetime

from django.utils import timezone

from tests.access import Route
from xinqiao.core.roles import Role

DIRECTOR = frozenset({"director"})
REQUESTERS = frozenset(
    {
        Role.COUNSELOR,
        Role.DUTY,
        Role.CLASS_TEACHER,
        Role.GRADE_LEADER,
        Role.STUDENT_AFFAIRS,
        Role.PRINCIPAL,
        Role.VICE_PRINCIPAL,
    }
)
DUTY = frozenset({"duty"})


def sweep_grant(cast) -> int:
    """The duty person's request for the counselor's case (made once per test)."""
    from tests.cases.factories import case_at
    from xinqiao.cases import services_grants
    from xinqiao.cases.models import AccessGrant

    grant = AccessGrant.objects.filter(requester=cast.duty).first()
    if grant is None:
        grant = services_grants.grant_request(
            actor=cast.duty,
            case=case_at(cast, "active"),
            reason="家长来电，需要了解帮扶方案。",
            ends_at=timezone.now() + datetime.timedelta(days=3),
            parts=["plan"],
        )
    return grant.pk


grant = {"pk": sweep_grant}
NO_CASE = {
    "kind": "case",
    "case_number": "无此编号",
    "ends_at": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
    "reason": "家长来电，需要了解帮扶方案。",
}
api_grant = {"grant_id": sweep_grant}

ROUTES = [
    Route("cases:grant_list", DIRECTOR),
    Route("cases:grant_list", DIRECTOR, data={"state": "in_force", "requester": "1"}),
    Route("cases:grant_request", REQUESTERS),
    # An empty request comes back with its errors, nothing stored.
    Route("cases:grant_request", REQUESTERS, method="post", data={"kind": "case"}, ok=(400,)),
    Route("cases:grant_mine", REQUESTERS),
    Route("cases:grant_decide", DIRECTOR, kwargs=grant, confidential=True),
    # Approving without a part is refused: the form comes back (nothing decided).
    Route(
        "cases:grant_decide",
        DIRECTOR,
        kwargs=grant,
        method="post",
        data={"decision": "approve"},
        ok=(400,),
        confidential=True,
    ),
    Route("cases:grant_revoke", DIRECTOR, kwargs=grant, confidential=True),
    # A request that waits cannot be revoked: the director is sent back with the message.
    Route(
        "cases:grant_revoke", DIRECTOR, kwargs=grant, method="post", ok=(302,), confidential=True
    ),
    Route("cases:grant_withdraw", DUTY, kwargs=grant, method="post", ok=(302,), confidential=True),
    Route("GET /api/cases/grants/mine", REQUESTERS),
    Route("GET /api/cases/grants", DIRECTOR),
    # A case number of no case: refused with the message, nothing stored.
    Route("POST /api/cases/grants", REQUESTERS, method="post", data=NO_CASE, ok=(400,)),
    Route(
        "POST /api/cases/grants/{grant_id}/decision",
        DIRECTOR,
        kwargs=api_grant,
        method="post",
        data={"decision": "refuse"},
        ok=(400,),
        confidential=True,
    ),
    Route(
        "POST /api/cases/grants/{grant_id}/revoke",
        DIRECTOR,
        kwargs=api_grant,
        method="post",
        ok=(400,),
        confidential=True,
    ),
    Route(
        "POST /api/cases/grants/{grant_id}/withdraw",
        DUTY,
        kwargs=api_grant,
        method="post",
        ok=(200,),
        confidential=True,
    ),
]
