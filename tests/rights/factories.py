"""Record requests for the tests, built through the services the people's actions call.

The cast's student has an active case held by the cast's counselor with two session records;
``request_at(cast, state)`` gives the cast's guardian a request moved as far as ``state``.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.cases.factories import case_at
from xinqiao.cases import services_records
from xinqiao.cases.models import Case, SessionRecord
from xinqiao.people.models import Guardian, GuardianLink, Student
from xinqiao.rights import services
from xinqiao.rights.models import RecordRequest

SHARED = "倾听，情绪命名练习"
PRIVATE = "谈到父母离异后的家庭冲突"
ASKED = "请提供本学期孩子在心理咨询室的辅导记录。"


def records_of_child(cast) -> list[SessionRecord]:
    """The cast's student's active case (made once) with two records: one the counselor will
    let go, one they keep back."""
    # An active one: other tables of the sweep give the same student cases in other states.
    case = Case.objects.filter(
        student=cast.student_record, counselors__user=cast.counselor, state=Case.State.ACTIVE
    ).first()
    if case is None:
        case = case_at(cast, "active")
    records = list(SessionRecord.objects.filter(case=case).order_by("held_at"))
    if not records:
        for hours, measures in ((3, SHARED), (2, PRIVATE)):
            records.append(
                services_records.session_record(
                    actor=cast.counselor,
                    case=case,
                    kind="individual",
                    held_at=timezone.now() - datetime.timedelta(hours=hours),
                    place="心理咨询室",
                    problem="同伴冲突后的情绪",
                    measures_taken=measures,
                    student_agreed=True,
                )
            )
    return records


def request_at(cast, state: str = "received", *, kind: str = "copy") -> RecordRequest:
    """A request of the cast's guardian about the cast's student, as far as ``state``."""
    records_of_child(cast)
    item = services.request_submit(
        actor=cast.guardian,
        # As stored: the sweep's cast outlives the rolled-back changes of other routes.
        student=Student.objects.get(pk=cast.student_record.pk),
        kind=kind,
        asked=ASKED,
        record_reference="10月12日的辅导记录" if kind == "correction" else "",
        correction="孩子当天没有和同学打架" if kind == "correction" else "",
    )
    if state == "received":
        return item
    services.request_take_up(actor=cast.director, request=item)
    if state == "under_review":
        return item
    if kind == "copy":
        shared, private = records_of_child(cast)[:2]
        services.notes_review(
            actor=cast.counselor,
            request=item,
            reviewed=[shared.pk, private.pk],
            releasable=[shared.pk],
        )
    services.request_decide(
        actor=cast.director,
        request=item,
        outcome="release_all" if kind == "copy" else "accept",
        reasons="",
    )
    if state in ("decided", "closed"):
        return item
    services.request_release(actor=cast.director, request=item)
    return item


def other_family(cast):
    """Another family of the school: a guardian account linked to another child."""
    from tests.factories import make_user

    user = make_user("guardian", school=cast.school, username="other_guardian")
    child_user = make_user("student", school=cast.school, username="other_child")
    child = Student.objects.create(
        school=cast.school,
        user=child_user,
        name="李小红",
        student_number="2026070102",
        school_class=cast.school_class,
    )
    guardian = Guardian.objects.create(
        school=cast.school, user=user, name="李爸爸", phone="13900000002"
    )
    GuardianLink.objects.create(guardian=guardian, student=child, relation="father")
    return user, child
