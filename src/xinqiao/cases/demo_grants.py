"""The demo's access grants (查阅授权, issue 16 item 1): one in every state.

The duty teacher (``duty``) reads one case under a narrowed grant in force (the plan and the
assessment; asked for the records too), with the reads it made under it in the access log;
another of their requests waits for the director, an older one has expired. A class teacher's
request for a student's file was refused, the principal's grant was revoked, a grade leader
withdrew theirs. All through the services a user's action calls.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from xinqiao.cases import services_grants as services
from xinqiao.cases.models import AccessGrant, Case
from xinqiao.core.access_log import record_access
from xinqiao.core.models import User

REASONS = {
    "in_force": "家长来电询问孩子的帮扶安排，值班时需要核对方案中的措施和联系人。",
    "waiting": "学生在值班时间来访，情绪激动，需要了解之前的评估以便联系心理教师。",
    "expired": "协助安排转介就诊的时间。",
    "refused": "班级近期有冲突，想了解该生的情况。",
    "revoked": "准备家校沟通会，需要了解方案进展。",
    "withdrawn": "误填，已直接与心理教师沟通。",
}


def build(cases: list[Case]) -> list[AccessGrant]:
    people = {u.username: u for u in User.objects.filter(username__in=_USERNAMES)}
    director = people.get("director")
    duty = people.get("duty")
    open_cases = [c for c in cases if c.state in (Case.State.ACTIVE, Case.State.CLOSING)]
    if director is None or duty is None or len(open_cases) < 4:
        return []
    now = timezone.now()
    made = []

    def ask(who, key, *, case=None, student=None, days=7, parts=("plan", "assessment", "records")):
        grant = services.grant_request(
            actor=who,
            case=case,
            student=student,
            reason=REASONS[key],
            ends_at=now + datetime.timedelta(days=days),
            parts=parts,
        )
        made.append(grant)
        return grant

    # In force, narrowed: the plan and the assessment, not the records.
    grant = ask(duty, "in_force", case=open_cases[0])
    grant = services.grant_approve(
        actor=director, grant=grant, parts={"plan", "assessment"}, note="只开放方案和评估。"
    )
    for _read in range(3):
        record_access(
            actor=duty,
            action="read",
            obj=open_cases[0],
            basis=grant.basis,
            grant_id=grant.pk,
        )
    ask(duty, "waiting", case=open_cases[1], parts=("assessment",))
    # Expired: approved for two days a fortnight ago.
    old = services.grant_approve(
        actor=director, grant=ask(duty, "expired", case=open_cases[2], parts=("referrals",))
    )
    start = now - datetime.timedelta(days=14)
    AccessGrant.objects.filter(pk=old.pk).update(
        requested_at=start,
        starts_at=start,
        ends_at=start + datetime.timedelta(days=2),
        expires_at=start + datetime.timedelta(days=2),
        decided_at=start + datetime.timedelta(hours=2),
    )
    teacher = people.get("class_teacher")
    if teacher is not None:
        refused = ask(teacher, "refused", student=open_cases[3].student, parts=("records",))
        services.grant_refuse(
            actor=director, grant=refused, note="请与心理教师沟通需要配合的事项，无需查阅档案。"
        )
    principal = people.get("principal")
    if principal is not None:
        revoked = ask(principal, "revoked", case=open_cases[3], parts=("plan",))
        services.grant_approve(actor=director, grant=revoked)
        services.grant_revoke(actor=director, grant=revoked)
    leader = people.get("grade_leader")
    if leader is not None:
        withdrawn = ask(leader, "withdrawn", case=open_cases[1], parts=("plan",))
        services.grant_withdraw(actor=leader, grant=withdrawn)
    return made


_USERNAMES = ("director", "duty", "class_teacher", "principal", "grade_leader")
