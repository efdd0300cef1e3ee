"""The demo school's crisis alerts: one in every state, each with its timeline.

What happens now goes through the services: a 危机 alert about a student of the ``class_teacher``
account's class (a Chinese teacher's referral the duty teacher takes) is raised as the demo
loads and left alone, so that with the worker running it
climbs the network at its deadlines (10 minutes, then reminders) until someone acknowledges it.
The others are history: raised, escalated and acknowledged through the services, then their
times set back to when they happened (the services rightly refuse to back-date), as the rooms
demo does with its history.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from xinqiao.core.demo import DemoContext
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.crisis.escalation import escalation_advance
from xinqiao.crisis.models import Alert, AlertEscalation, AlertEvent, AlertNotice, EscalationPolicy
from xinqiao.crisis.services import (
    alert_acknowledge,
    alert_dismiss,
    alert_resolve,
    alert_transition,
    raise_alert,
)
from xinqiao.people.models import RoleAssignment, School, Student

MINUTE = datetime.timedelta(minutes=1)
LEVEL, SOURCE, STATE = Alert.RiskLevel, Alert.Source, Alert.State

# Made-up words of the sources (the evidence is encrypted like any alert's).
LEFT_ALONE = "语文老师转来：学生作文里写“想死，不想再活下去了”，今天下午一直趴在桌上不说话。"
IN_INTERVENTION = "同学陪同来访，说他昨晚在宿舍用小刀划伤了手腕，今天仍说“没意思”。"
ACKNOWLEDGED = "咨询中提到与同桌冲突后反复想“让他付出代价”，有伤人的念头。"
RESOLVED = "家长来电：孩子近一周拒绝上学，说“活着没意思”，夜里睡不着。"
RESOLVED_NOTE = "已约谈学生和家长，转介至市精神卫生中心门诊，建立个案并每周跟进。"
WAITING = "心理筛查：抑郁自评量表得分偏高，需要复评和面谈。"
DISMISSED = "心理委员反映该同学近几天情绪低落、独来独往。"
DISMISSED_REASON = "面谈了解系篮球比赛失利，情绪已恢复，无风险迹象。"


def set_back(alert: Alert, raised_at: datetime.datetime) -> None:
    """Put a just-raised alert (and its first step) at ``raised_at``."""
    Alert.objects.filter(pk=alert.pk).update(raised_at=raised_at)
    AlertEvent.objects.filter(alert=alert).update(at=raised_at)
    AlertNotice.objects.filter(alert=alert).update(told_at=raised_at)
    policy = EscalationPolicy.for_school(alert.school_id)
    AlertEscalation.objects.filter(alert=alert).update(
        due_at=policy.deadline(alert.risk_level, raised_at)
    )
    alert.refresh_from_db()


def _last_step_at(alert: Alert, at: datetime.datetime) -> None:
    event = alert.events.order_by("-pk").first()
    AlertEvent.objects.filter(pk=event.pk).update(at=at)


def _escalate(alert: Alert) -> None:
    escalation = AlertEscalation.objects.get(alert=alert)
    escalation_advance(
        escalation_id=escalation.pk, from_step=escalation.step, now=escalation.due_at
    )


def build_alerts(context: DemoContext) -> None:
    school: School = context.objects.get("school") or School.objects.get(code="demo")
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in=[Role.DIRECTOR, Role.COUNSELOR, Role.DUTY, Role.CLASS_TEACHER]
        )
    }
    director, counselor, duty = people[Role.DIRECTOR], people[Role.COUNSELOR], people[Role.DUTY]
    taught = RoleAssignment.objects.filter(
        user=people[Role.CLASS_TEACHER], role=Role.CLASS_TEACHER, school_class__isnull=False
    ).values("school_class_id")
    enrolled = Student.objects.filter(school=school, status=Student.Status.ENROLLED).exclude(
        alerts__isnull=False
    )
    in_class = list(enrolled.filter(school_class_id__in=taught).order_by("pk")[:2])
    others = list(enrolled.exclude(school_class_id__in=taught).order_by("pk")[20:25])
    now = timezone.now()

    def alert(level, source, evidence, student, raised_at, actor=duty) -> Alert:
        raised = raise_alert(
            actor=actor,
            school=school,
            risk_level=level,
            source=source,
            evidence=evidence,
            student=student,
        )
        set_back(raised, raised_at)
        return raised

    # In intervention: raised 40 minutes ago, nobody acknowledged within 10 minutes, so the
    # leadership group and student affairs were told; the director took charge 2 minutes later.
    started = now - 40 * MINUTE
    helped = alert(LEVEL.CRISIS, SOURCE.WALK_IN, IN_INTERVENTION, in_class[1], started)
    _escalate(helped)
    alert_acknowledge(actor=director, alert=helped)
    _last_step_at(helped, started + 12 * MINUTE)
    alert_transition(actor=director, alert=helped, to_state=STATE.IN_INTERVENTION)
    _last_step_at(helped, started + 15 * MINUTE)

    # Acknowledged: a counselor's own alert this morning, acknowledged at once.
    morning = now - 2 * 60 * MINUTE
    heard = alert(LEVEL.HIGH, SOURCE.COUNSELING, ACKNOWLEDGED, others[0], morning, counselor)
    alert_acknowledge(actor=counselor, alert=heard)
    _last_step_at(heard, morning + 5 * MINUTE)

    # Resolved: a guardian's call two days ago, acknowledged within the hour, resolved today.
    called = now - datetime.timedelta(days=2)
    resolved = alert(LEVEL.HIGH, SOURCE.GUARDIAN, RESOLVED, others[1], called)
    alert_acknowledge(actor=counselor, alert=resolved)
    _last_step_at(resolved, called + 40 * MINUTE)
    alert_resolve(actor=director, alert=resolved, note=RESOLVED_NOTE)
    _last_step_at(resolved, now - 3 * 60 * MINUTE)

    # Raised, waiting: a screening result three days ago (关注 waits a week).
    alert(LEVEL.CONCERN, SOURCE.SCREENING, WAITING, others[2], now - datetime.timedelta(days=3))

    # Dismissed: a committee member's worry, a false alarm.
    worry = alert(
        LEVEL.CONCERN, SOURCE.NETWORK_REPORT, DISMISSED, others[3], now - datetime.timedelta(days=5)
    )
    alert_dismiss(actor=counselor, alert=worry, reason=DISMISSED_REASON)
    _last_step_at(worry, now - datetime.timedelta(days=4))

    # Raised now and left alone: it climbs the network while nobody acknowledges it.
    left_alone = raise_alert(
        actor=duty,
        school=school,
        risk_level=LEVEL.CRISIS,
        source=SOURCE.TEACHER,
        evidence=LEFT_ALONE,
        student=in_class[0],
    )
    context.objects.update(left_alone_alert=left_alone)
