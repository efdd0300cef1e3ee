"""Access rows of the case workflow (see tests/test_access_sweep.py).

Each row builds a fresh case of the cast's student, held by the cast's counselor, so that a
step one role takes does not change what the next role meets.
"""

from django.utils import timezone

from tests.access import SECOND_COUNSELOR, STAFF, Route
from tests.cases.factories import case_at
from xinqiao.cases import services_plans
from xinqiao.cases.models import PlanMeasure

COUNSELING = frozenset({"director", "counselor"})
DIRECTOR = frozenset({"director"})
COUNSELOR = frozenset({"counselor"})
REFERRERS = frozenset(
    {"class_teacher", "grade_leader", "student_affairs", "principal", "vice_principal"}
)


def _shared(key, build):
    """For pages that only read: one object per test, kept on the cast, for every role."""

    def get(cast):
        cache = cast.__dict__.setdefault("_sweep_cases", {})
        if key not in cache:
            cache[key] = build(cast)
        return cache[key]

    return get


def _case(state, **kwargs):
    """A case every role meets: built once for pages that read it."""
    return {"pk": _shared(("case", state), lambda cast: case_at(cast, state, **kwargs).pk)}


def _fresh_case(state):
    """A case of its own for each role, for steps that change it."""
    return {"pk": lambda cast: case_at(cast, state).pk}


def _conference(cast):
    return case_at(cast, "active", severity="serious").conferences.get().pk


def _draft_plan(cast):
    case = case_at(cast, "assessing")
    plan = services_plans.plan_draft(
        actor=cast.counselor,
        case=case,
        goals="恢复上学",
        review_every_weeks=4,
        measures=[
            {
                "kind": PlanMeasure.Kind.INDIVIDUAL,
                "description": "个体辅导",
                "responsible": cast.counselor,
                "starts_on": timezone.localdate(),
            }
        ],
    )
    return plan.pk


def _measure_of(kind):
    def build(cast):
        case = case_at(cast, "active")
        return PlanMeasure.objects.get(plan__case=case, kind=kind).pk

    return build


def _students_booking(cast):
    from tests.rooms.access_table_appointments import students_booking

    return students_booking(cast)


ROUTES = [
    Route("cases:case_list", COUNSELING),
    Route("cases:case_open", COUNSELING),
    Route("cases:refer_student", REFERRERS),
    Route("cases:raise_concern", frozenset({"guardian"})),
    Route("cases:my_referrals", REFERRERS | {"guardian"}),
    Route("cases:my_tasks", STAFF),
    Route("cases:category_list", DIRECTOR),
    Route(
        "cases:appointment_case",
        COUNSELING,
        kwargs={"pk": _students_booking},
        ok=(302,),
        confidential=True,
        # The school's appointment book is every counselor's: any of them opens the case.
        extras=SECOND_COUNSELOR,
    ),
    Route("cases:case_detail", COUNSELING, kwargs=_case("active"), confidential=True),
    Route("cases:case_records_part", COUNSELING, kwargs=_case("active"), confidential=True),
    Route("cases:case_links_part", COUNSELING, kwargs=_case("active"), confidential=True),
    Route(
        "cases:case_brief",
        COUNSELING,
        kwargs=_fresh_case("intake"),
        method="post",
        data={"answer": "已当场解答"},
        ok=(302,),
        confidential=True,
    ),
    Route("cases:case_assess", COUNSELING, kwargs=_case("intake"), confidential=True),
    Route("cases:case_counselors", DIRECTOR, kwargs=_case("assessing"), confidential=True),
    Route("cases:conference_convene", DIRECTOR, kwargs=_case("assessing"), confidential=True),
    Route("cases:plan_edit", COUNSELING, kwargs=_case("assessing"), confidential=True),
    Route("cases:record_create", COUNSELOR, kwargs=_case("active"), confidential=True),
    Route("cases:summary_create", COUNSELOR, kwargs=_case("active"), confidential=True),
    Route("cases:evaluation_create", COUNSELOR, kwargs=_case("active"), confidential=True),
    Route("cases:case_close", COUNSELOR, kwargs=_case("active"), confidential=True),
    Route(
        "cases:case_close_confirm",
        DIRECTOR,
        kwargs=_fresh_case("closing"),
        method="post",
        ok=(302,),
        confidential=True,
    ),
    Route(
        "cases:case_reopen",
        DIRECTOR,
        kwargs=_fresh_case("closing"),
        method="post",
        ok=(302,),
        confidential=True,
    ),
    Route(
        "cases:case_archive",
        DIRECTOR,
        kwargs=_fresh_case("closed"),
        method="post",
        ok=(302,),
        confidential=True,
    ),
    Route(
        "cases:conference_detail",
        COUNSELING,
        kwargs={"pk": _shared("conf", _conference)},
        confidential=True,
    ),
    Route(
        "cases:conference_share",
        frozenset({"director", "counselor", "class_teacher"}),
        kwargs={"pk": _shared("conf", _conference)},
        confidential=True,
    ),
    Route(
        "cases:plan_approve",
        DIRECTOR,
        kwargs={"pk": _draft_plan},
        method="post",
        ok=(302,),
        confidential=True,
    ),
    Route(
        "cases:measure_status",
        COUNSELOR,
        kwargs={"pk": _measure_of(PlanMeasure.Kind.INDIVIDUAL)},
        method="post",
        data={"status": "ongoing"},
        ok=(302,),
        confidential=True,
    ),
    Route(
        "cases:measure_log",
        frozenset({"class_teacher"}),
        kwargs={"pk": _shared("tutoring", _measure_of(PlanMeasure.Kind.TUTORING))},
        confidential=True,
    ),
]
