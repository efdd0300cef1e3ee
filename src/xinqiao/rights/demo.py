"""The demo school's guardians' record requests (`xinqiao demo`; issue 16 item 4).

The ``guardian`` account (何建华, father of 何小明) has two requests: one released three weeks
after it came in (a partial copy: basic information and the cases, the session records as
their counselor reviewed them), and one under review, due in about 12 days. Both go through
the services; their dates are then set back with plain updates, as the other demos do, and
the released copy is drawn again with its day of release.
"""

from __future__ import annotations

import base64
import datetime

from django.utils import timezone

from xinqiao.cases.models import CaseCounselor
from xinqiao.core.demo import DemoContext
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import GuardianLink
from xinqiao.people.selectors import holders_of
from xinqiao.rights import services
from xinqiao.rights.models import RecordRequest
from xinqiao.rights.release import release_document

DAY = datetime.timedelta(days=1)


def _set_back(item: RecordRequest, received_days_ago: int, **days_ago: int) -> None:
    now = timezone.now()
    received = now - received_days_ago * DAY
    changes = {"received_at": received, "due_at": RecordRequest.due_for(received)}
    changes.update({field: now - days * DAY for field, days in days_ago.items()})
    RecordRequest.objects.filter(pk=item.pk).update(**changes)
    item.refresh_from_db()


def _review_all_but_the_last(item: RecordRequest) -> None:
    """Each counselor of the child's cases lets go all their records but the latest."""
    records = list(services.child_records(item))
    leads = CaseCounselor.objects.filter(case__student_id=item.student_id).select_related("user")
    for counselor in {assignment.user for assignment in leads}:
        mine = [r for r in records if counselor.pk in r.case.counselor_user_ids]
        if mine:
            services.notes_review(
                actor=counselor,
                request=item,
                reviewed=[r.pk for r in mine],
                releasable=[r.pk for r in mine[:-1]],
            )


def build(context: DemoContext) -> None:
    guardian = User.objects.filter(username="guardian").first()
    link = GuardianLink.objects.filter(guardian__user=guardian).select_related("student").first()
    if link is None:
        return
    child = link.student
    director = holders_of(child.school_id, Role.DIRECTOR).first()
    released = services.request_submit(
        actor=guardian,
        student=child,
        kind=RecordRequest.Kind.COPY,
        asked="请提供孩子上学期在心理咨询室的辅导情况，便于我们在家配合。",
    )
    services.request_take_up(actor=director, request=released)
    _review_all_but_the_last(released)
    services.request_decide(
        actor=director,
        request=released,
        outcome=RecordRequest.Outcome.RELEASE_PART,
        parts=[RecordRequest.Part.BASIC, RecordRequest.Part.CASES, RecordRequest.Part.RECORDS],
        reasons="最近一次辅导记录仍在跟进中，待辅导结束后再提供。",
    )
    services.request_release(actor=director, request=released)
    _set_back(released, 24, decided_at=5, released_at=3)
    content, _count = release_document(released, reader=director)
    RecordRequest.objects.filter(pk=released.pk).update(
        released_copy=base64.b64encode(content).decode("ascii")
    )
    pending = services.request_submit(
        actor=guardian,
        student=child,
        kind=RecordRequest.Kind.COPY,
        asked="请提供本学期心理测评结果和辅导记录的复印件。",
    )
    services.request_take_up(actor=director, request=pending)
    _set_back(pending, 18)
    context.objects.update(rights_released=released, rights_pending=pending)
