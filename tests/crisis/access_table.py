from tests.access import SECOND_COUNSELOR, Route
from xinqiao.crisis.models import Alert

COUNSELING = frozenset({"director", "counselor"})
# Every counselor of the school sees and handles its alerts (crisis/rules.py).


def counselors_alert(cast) -> int:
    """An alert raised by the counselor: only the counseling side may open it."""
    from xinqiao.crisis.services import raise_alert

    return raise_alert(
        actor=cast.counselor,
        school=cast.school,
        risk_level="high",
        source="counseling",
        evidence="访谈中发现自伤痕迹",
        student=cast.student_record,
    ).pk


ROUTES = [
    Route("crisis:alert_list", COUNSELING),
    Route(
        "crisis:alert_detail",
        COUNSELING,
        kwargs={"pk": counselors_alert},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:alert_acknowledge",
        COUNSELING,
        kwargs={"pk": counselors_alert},
        method="post",
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:alert_intervene",
        COUNSELING,
        kwargs={"pk": counselors_alert},
        method="post",
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:alert_resolve",
        COUNSELING,
        kwargs={"pk": counselors_alert},
        method="post",
        data={"note": "已处理"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:alert_dismiss",
        COUNSELING,
        kwargs={"pk": counselors_alert},
        method="post",
        data={"reason": "误报"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
]


# --- the crisis record, the disclosure register, emergency access (issue 14 items 5 and 6) --------
def alert_in_intervention(cast) -> int:
    """A new alert of the counselor's with its crisis record open (remembered for the
    follow-up route, whose kwargs are read in order)."""
    from xinqiao.crisis.services_intervention import intervention_open

    record = intervention_open(
        actor=cast.counselor,
        alert=Alert.objects.get(pk=counselors_alert(cast)),
        with_student="班主任陪同",
    )
    cast._sweep_record = record
    return record.alert_id


def its_first_follow_up(cast) -> int:
    return cast._sweep_record.follow_ups.first().pk


def principals_emergency_access(cast) -> int:
    from xinqiao.crisis.services_intervention import emergency_access_open

    return emergency_access_open(
        actor=cast.principal, student=cast.student_record, reason="学生失联，主任电话无人接听"
    ).pk


def _record_route(name: str, method: str = "post", data=None, ok=(302,)) -> Route:
    return Route(
        name,
        COUNSELING,
        kwargs={"pk": alert_in_intervention},
        method=method,
        data=data or {},
        ok=ok,
        confidential=True,
        extras=SECOND_COUNSELOR,
    )


ROUTES += [
    Route(
        "crisis:crisis_record",
        COUNSELING,
        kwargs={"pk": counselors_alert},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    _record_route("crisis:crisis_record", method="get", ok=(200,)),
    _record_route(
        "crisis:crisis_record_details", data={"with_student": "母亲", "return_plan": "x"}
    ),
    _record_route(
        "crisis:safety_plan_save", data={"warning_signs": "失眠", "coping_steps": "给老师打电话"}
    ),
    _record_route("crisis:safety_plan_print", method="get", ok=(302,)),
    _record_route(
        "crisis:guardian_contact_add",
        data={
            "guardian": "李母",
            "contacted_at": "2026-01-05T09:00",
            "said": "请家长来校",
            "ground": "safety",
        },
    ),
    Route(
        "crisis:follow_up_done",
        COUNSELING,
        kwargs={"pk": alert_in_intervention, "follow_up_pk": its_first_follow_up},
        method="post",
        data={"note": "情绪平稳"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    _record_route("crisis:crisis_record_close", data={"summary": "已稳定，转入个案跟进"}),
    Route("crisis:disclosure_list", frozenset({"director"})),
    Route("crisis:disclosure_export", frozenset({"director"})),
    Route("crisis:emergency_access_open", frozenset({"counselor", "principal"})),
    Route("crisis:emergency_access_review_list", frozenset({"director"})),
    Route(
        "crisis:emergency_access_review",
        frozenset({"director"}),
        kwargs={"pk": principals_emergency_access},
        method="post",
        data={"outcome": "justified"},
        ok=(302,),
        confidential=True,
        extras=frozenset(),
    ),
]
ROUTES += [
    _record_route(
        "crisis:intervention_disclose",
        data={
            "recipient_kind": "police",
            "recipient": "派出所值班民警",
            "what": "学生离家出走",
            "why": "寻找学生",
            "ground": "safety",
        },
    ),
]
