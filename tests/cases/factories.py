"""Cases for the tests, built through the services a counselor's actions call.

``case_at(cast, state)`` gives the cast's student a case held by the cast's counselor, moved
along the state machine as far as ``state``; the director and the counselor act as they would.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from xinqiao.cases import services_intake, services_plans, services_records
from xinqiao.cases.models import Case, PlanMeasure, ProblemCategory, Severity
from xinqiao.core.roles import Role

ORDER = ["intake", "assessing", "active", "closing", "closed", "archived"]
PROBLEM = "上课注意力不集中，和同桌发生冲突后不愿上学。"


def category(school, name: str = "学习") -> ProblemCategory:
    return ProblemCategory.objects.get_or_create(school=school, name=name)[0]


def all_done(case: Case) -> dict[int, tuple[str, str]]:
    """Every open measure of the case ended as planned, for closing it."""
    return {m.pk: (PlanMeasure.Status.DONE, "") for m in services_records.open_measures(case)}


def case_at(
    cast,
    state: str = "active",
    *,
    student=None,
    counselor=None,
    severity: str = Severity.GENERAL,
    problem: str = PROBLEM,
    opened_days_ago: int = 1,
) -> Case:
    student = student or cast.student_record
    counselor = counselor or cast.counselor
    case = services_intake.case_open(
        actor=cast.counselor,
        student=student,
        channel=Case.Channel.TEACHER_REFERRAL,
        problem=problem,
        referred_by=cast.class_teacher,
    )
    # Opened the day before (or earlier): what a test dates in the last hours falls inside the
    # case whatever the hour it runs (nothing of a case is dated before the day it was opened).
    case.opened_at = timezone.now() - datetime.timedelta(days=opened_days_ago)
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at)
    target = ORDER.index(state)
    if target >= 1:
        services_intake.case_assess(
            actor=cast.director,
            case=case,
            severity=severity,
            categories=[category(cast.school)],
            measures_needed="个体辅导，每周一次。",
            lead=counselor,
        )
    case.refresh_from_db()
    if target >= 2:
        if severity != Severity.GENERAL:
            conference = services_plans.conference_convene(
                actor=cast.director,
                case=case,
                scheduled_at=timezone.now(),
                place="心理咨询室",
                agenda="讨论帮扶方案",
                participants=[
                    (counselor, Role.COUNSELOR),
                    (cast.class_teacher, Role.CLASS_TEACHER),
                ],
            )
            services_plans.conference_record(
                actor=cast.director,
                conference=conference,
                attended=[cast.director.pk, counselor.pk, cast.class_teacher.pk],
                decisions="制定个别帮扶方案。",
                shared_summary="请班主任每周观察课堂情况并告知心理教师。",
            )
        plan = services_plans.plan_draft(
            actor=counselor,
            case=case,
            goals="两个月内恢复正常上学。",
            review_every_weeks=4,
            measures=[
                {
                    "kind": PlanMeasure.Kind.INDIVIDUAL,
                    "description": "每周一次个体辅导",
                    "responsible": counselor,
                    "starts_on": timezone.localdate(),
                },
                {
                    "kind": PlanMeasure.Kind.TUTORING,
                    "description": "数学学业辅导",
                    "responsible": cast.class_teacher,
                    "starts_on": timezone.localdate(),
                },
            ],
        )
        services_plans.plan_approve(actor=cast.director, plan=plan)
    if target >= 3:
        services_records.session_record(
            actor=counselor,
            case=case,
            kind="individual",
            held_at=timezone.now() - datetime.timedelta(hours=1),
            place="心理咨询室",
            problem="同伴冲突后的情绪",
            measures_taken="倾听，情绪命名练习",
            student_agreed=True,
        )
        services_records.evaluation_record(
            actor=counselor, case=case, evaluated_on=timezone.localdate(), student_rating=7
        )
        services_records.case_request_closure(
            actor=counselor,
            case=case,
            closing_summary="情况好转。",
            measure_ends=all_done(case),
        )
    if target >= 4:
        services_records.case_confirm_closure(actor=cast.director, case=case)
    if target >= 5:
        services_records.case_archive(actor=cast.director, case=case, semester=cast.semester)
    case.refresh_from_db()
    return case
