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


def crisis_alert(cast) -> int:
    """A 危机 alert: its first step tells the principal and the vice principal too, who may
    open its summary and acknowledge it (crisis/rules.py); the class teacher is told what to
    do, not why, and is refused the alert."""
    from xinqiao.crisis.services import raise_alert

    return raise_alert(
        actor=cast.counselor,
        school=cast.school,
        risk_level="crisis",
        source="counseling",
        evidence="说今晚要跳楼",
        student=cast.student_record,
    ).pk


TOLD_OF_A_CRISIS = COUNSELING | {"principal", "vice_principal"}

ROUTES = [
    # Leadership and student affairs list the alerts their escalation told them of.
    Route("crisis:alert_list", COUNSELING | {"principal", "vice_principal", "student_affairs"}),
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
    Route(
        "crisis:alert_detail",
        TOLD_OF_A_CRISIS,
        kwargs={"pk": crisis_alert},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:alert_acknowledge",
        TOLD_OF_A_CRISIS,
        kwargs={"pk": crisis_alert},
        method="post",
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route("crisis:board", frozenset({"director"})),
    Route("crisis:escalation_policy", frozenset({"director"})),
    Route(
        "crisis:escalation_policy",
        frozenset({"director"}),
        method="post",
        data={"crisis_minutes": "15", "school_day_ends_at": "17:00", "concern_days": "5"},
        ok=(302,),
    ),
    Route("crisis:my_instructions", frozenset({"class_teacher"})),
]
