"""Access rows of guardians' record requests, pages and API (see tests/test_access_sweep.py).

The sweep's request is the cast's guardian's, about the cast's student, whose case the cast's
counselor holds: the guardian follows it, the director decides, that counselor reviews; the
second counselor, another school's staff and every other role are told "not found" and the
refusal is recorded. Each route gets a request in the state its step needs.
"""

from tests.access import Route
from tests.rights.factories import request_at
from xinqiao.rights.models import RecordRequest

STAFF_SIDE = frozenset({"director", "counselor"})
SEES_IT = frozenset({"director", "counselor", "guardian"})
DIRECTOR = frozenset({"director"})
GUARDIAN = frozenset({"guardian"})


def in_state(state: str, kind: str = "copy"):
    def build(cast) -> int:
        found = RecordRequest.objects.filter(guardian=cast.guardian, state=state, kind=kind).first()
        return (found or request_at(cast, state, kind=kind)).pk

    build.__name__ = f"request_{state}"
    return build


received = {"pk": in_state("received")}
under_review = {"pk": in_state("under_review")}
decided = {"pk": in_state("decided")}
released = {"pk": in_state("released")}


def api(state: str) -> dict:
    return {"request_id": in_state(state)}


ASK = {"kind": "copy", "asked": "请提供本学期的辅导记录", "submission_key": "sweep-ask"}
REFUSE = {"outcome": "refuse", "reasons": "涉及第三方隐私"}

ROUTES = [
    # The guardian's side: the form, their list.
    Route("rights:ask", GUARDIAN),
    Route("rights:ask", GUARDIAN, method="post", data=ASK, ok=(302,)),
    Route("rights:mine", GUARDIAN),
    # The staff list: the director all of the school's, a counselor those of children they hold.
    Route("rights:request_list", STAFF_SIDE),
    Route("rights:request_detail", SEES_IT, kwargs=received, confidential=True),
    Route("rights:request_detail", SEES_IT, kwargs=released, confidential=True),
    Route("rights:take_up", DIRECTOR, kwargs=received, method="post", ok=(302,), confidential=True),
    Route(
        "rights:review",
        STAFF_SIDE - DIRECTOR,
        kwargs=under_review,
        method="post",
        ok=(302,),
        confidential=True,
    ),
    Route(
        "rights:decide",
        DIRECTOR,
        kwargs=under_review,
        method="post",
        data=REFUSE,
        ok=(302,),
        confidential=True,
    ),
    Route("rights:release", DIRECTOR, kwargs=decided, method="post", ok=(302,), confidential=True),
    Route(
        "rights:withdraw", GUARDIAN, kwargs=received, method="post", ok=(302,), confidential=True
    ),
    Route("rights:download", DIRECTOR | GUARDIAN, kwargs=released, confidential=True),
    # The API: the same rules.
    Route("GET /api/rights/requests", STAFF_SIDE | GUARDIAN),
    Route(
        "POST /api/rights/requests",
        GUARDIAN,
        method="post",
        data={"child_id": 0, "kind": "copy", "asked": "x"},
        ok=(404,),
    ),
    Route(
        "GET /api/rights/requests/{request_id}", SEES_IT, kwargs=api("received"), confidential=True
    ),
    Route(
        "POST /api/rights/requests/{request_id}/take-up",
        DIRECTOR,
        kwargs=api("received"),
        method="post",
        confidential=True,
    ),
    Route(
        "POST /api/rights/requests/{request_id}/review",
        STAFF_SIDE - DIRECTOR,
        kwargs=api("under_review"),
        method="post",
        ok=(409,),
        confidential=True,
    ),
    Route(
        "POST /api/rights/requests/{request_id}/decide",
        DIRECTOR,
        kwargs=api("under_review"),
        method="post",
        data=REFUSE,
        confidential=True,
    ),
    Route(
        "POST /api/rights/requests/{request_id}/release",
        DIRECTOR,
        kwargs=api("decided"),
        method="post",
        confidential=True,
    ),
    Route(
        "POST /api/rights/requests/{request_id}/withdraw",
        GUARDIAN,
        kwargs=api("received"),
        method="post",
        confidential=True,
    ),
    Route(
        "GET /api/rights/requests/{request_id}/copy",
        DIRECTOR | GUARDIAN,
        kwargs=api("released"),
        confidential=True,
    ),
]
