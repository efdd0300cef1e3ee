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


# --- the network's weekly reports (crisis/views_reports.py) --------------------------------------
def members_report(cast) -> int:
    """This week's report of 七年级1班 by its committee member, naming 何小明."""
    from tests.crisis.reports_factories import a_report

    return a_report(cast).pk


def named_worry(cast) -> int:
    from xinqiao.crisis.models import WeeklyReport

    return WeeklyReport.objects.get(pk=members_report(cast)).worries.get().pk


def members_class(cast) -> int:
    from tests.crisis.reports_factories import network_for_reports

    return network_for_reports(cast).school_class.pk


def liaisons_dormitory(cast) -> int:
    from tests.crisis.reports_factories import network_for_reports

    return network_for_reports(cast).dormitory.pk


REPORT_READERS = frozenset(
    {"director", "counselor", "class_teacher", "grade_leader", "committee_member"}
)
NONE = frozenset()

ROUTES += [
    Route("crisis:report_mine", frozenset({"committee_member", "dorm_liaison"})),
    Route(
        "crisis:report_list",
        frozenset({"director", "counselor", "class_teacher", "grade_leader", "student_affairs"}),
    ),
    Route(
        "crisis:report_summary",
        frozenset(
            {
                "director",
                "counselor",
                "principal",
                "vice_principal",
                "supervisor",
                "student_affairs",
            }
        ),
    ),
    Route("crisis:worried_list", frozenset({"director", "counselor", "class_teacher"})),
    Route(
        "crisis:report_write",
        frozenset({"committee_member"}),
        kwargs={"kind": "class", "unit_id": members_class},
        confidential=True,
        extras=NONE,
    ),
    Route(
        "crisis:report_write",
        frozenset({"committee_member"}),
        kwargs={"kind": "class", "unit_id": members_class},
        method="post",
        data={"mood": "3", "events": "运动会"},
        ok=(302,),
        confidential=True,
        extras=NONE,
    ),
    Route(
        "crisis:report_write",
        frozenset({"dorm_liaison"}),
        kwargs={"kind": "dormitory", "unit_id": liaisons_dormitory},
        confidential=True,
        extras=NONE,
    ),
    Route(
        "crisis:report_detail",
        REPORT_READERS,
        kwargs={"pk": members_report},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:report_forward",
        frozenset({"grade_leader"}),
        kwargs={"pk": members_report},
        method="post",
        data={"note": "请心理室关注"},
        ok=(302,),
        confidential=True,
        extras=NONE,
    ),
    Route(
        "crisis:worried_detail",
        frozenset({"director", "counselor", "class_teacher", "committee_member"}),
        kwargs={"pk": named_worry},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:worried_alert",
        COUNSELING,
        kwargs={"pk": named_worry},
        method="post",
        data={"risk_level": "high"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "crisis:worried_review",
        COUNSELING,
        kwargs={"pk": named_worry},
        method="post",
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
]

report = {"report_id": members_report}
worry = {"item_id": named_worry}
ROUTES += [
    Route(
        "GET /api/crisis/reports",
        frozenset({"director", "counselor", "class_teacher", "grade_leader", "student_affairs"}),
    ),
    Route(
        "GET /api/crisis/reports",
        frozenset({"director", "counselor", "class_teacher", "grade_leader", "student_affairs"}),
        data={"week": 3, "kind": "dormitory"},
    ),
    Route(
        "GET /api/crisis/reports/summary",
        frozenset(
            {
                "director",
                "counselor",
                "principal",
                "vice_principal",
                "supervisor",
                "student_affairs",
            }
        ),
    ),
    Route(
        "GET /api/crisis/reports/{report_id}",
        REPORT_READERS,
        kwargs=report,
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "POST /api/crisis/reports/class/{class_id}",
        frozenset({"committee_member"}),
        kwargs={"class_id": members_class},
        method="post",
        data={"mood": "3", "events": "运动会"},
        confidential=True,
        extras=NONE,
    ),
    Route(
        "POST /api/crisis/reports/dormitory/{dormitory_id}",
        frozenset({"dorm_liaison"}),
        kwargs={"dormitory_id": liaisons_dormitory},
        method="post",
        data={"mood": "4"},
        confidential=True,
        extras=NONE,
    ),
    Route(
        "POST /api/crisis/reports/{report_id}/forward",
        frozenset({"grade_leader"}),
        kwargs=report,
        method="post",
        data={"note": "请心理室关注"},
        ok=(201,),
        confidential=True,
        extras=NONE,
    ),
    Route("GET /api/crisis/reports/worried", frozenset({"director", "counselor", "class_teacher"})),
    Route(
        "GET /api/crisis/reports/worried/{item_id}",
        frozenset({"director", "counselor", "class_teacher", "committee_member"}),
        kwargs=worry,
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "POST /api/crisis/reports/worried/{item_id}/alert",
        COUNSELING,
        kwargs=worry,
        method="post",
        data={"risk_level": "high"},
        ok=(201,),
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
