from tests.access import SECOND_COUNSELOR, Route

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
