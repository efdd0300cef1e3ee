"""Issue 12 item 23: every case step that waits for a person tells them once, shows on their
"waiting for me" page and clears when it is done, by whoever was entitled to do it; the case
list filters the cases awaiting approval."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.access_table_referrals import guardian_consent, outside_service
from tests.cases.factories import PROBLEM, case_at
from tests.factories import make_user
from xinqiao.cases import services_plans, services_records, services_referrals
from xinqiao.cases.models import Conference, PlanMeasure
from xinqiao.core.models import Notification, PendingStep
from xinqiao.core.roles import Role
from xinqiao.people.models import Student

pytestmark = pytest.mark.django_db


def waiting(user) -> list[str]:
    return [step.kind for step in PendingStep.objects.for_user(user)]


def told(user, title_part: str) -> int:
    return Notification.objects.filter(recipient=user, title__contains=title_part).count()


def notices(*users) -> list[int]:
    """The notifications that told ``users`` of the steps waiting for them."""
    return list(
        PendingStep.objects.filter(assignee__in=users).values_list("notification_id", flat=True)
    )


def still_unread(ids: list[int]) -> int:
    return Notification.objects.filter(pk__in=ids, read_at__isnull=True).count()


def draft(cast, case):
    return services_plans.plan_draft(
        actor=cast.counselor,
        case=case,
        goals="两个月内恢复正常上学。",
        review_every_weeks=4,
        change_reason="" if not case.plans.exists() else "每周一次不够",
        measures=[
            {
                "kind": PlanMeasure.Kind.INDIVIDUAL,
                "description": "每周一次个体辅导",
                "responsible": cast.counselor,
                "starts_on": timezone.localdate(),
            }
        ],
    )


@pytest.fixture
def director_two(cast):
    return make_user("director", school=cast.school, username="director-two")


def test_a_plan_saved_for_approval_tells_each_director_once_until_one_approves(
    cast, signed_in, director_two
):
    case = case_at(cast, "assessing")
    before = {d.pk: told(d, case.number) for d in (cast.director, director_two)}
    plan = draft(cast, case)
    draft(cast, case)  # saved again: nobody is told twice
    for director in (cast.director, director_two):
        assert waiting(director) == ["plan_approval"]
        assert told(director, case.number) == before[director.pk] + 1
    for other in (cast.counselor, cast.second_counselor, cast.foreign_director, cast.duty):
        assert waiting(other) == []
    page = signed_in(cast.director).get(reverse("core:waiting")).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) in page
    assert PROBLEM not in page and "两个月内" not in page  # a neutral title, never case text

    told_of_it = notices(cast.director, director_two)
    assert len(told_of_it) == 2 and still_unread(told_of_it) == 2
    services_plans.plan_approve(actor=director_two, plan=plan)
    for director in (cast.director, director_two):
        assert waiting(director) == []
    assert still_unread(told_of_it) == 0  # the notice clears for the director who did not act
    page = signed_in(cast.director).get(reverse("core:waiting")).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) not in page


def test_a_revised_plan_waits_for_approval_again(cast):
    case = case_at(cast, "active")
    assert waiting(cast.director) == []
    draft(cast, case)
    assert waiting(cast.director) == ["plan_approval"]


def test_a_closure_waits_for_the_directors_confirmation(cast, director_two):
    case = case_at(cast, "closing")
    assert waiting(cast.director) == ["closure"]
    assert waiting(director_two) == ["closure"]
    assert waiting(cast.counselor) == []
    told_of_it = notices(cast.director, director_two)
    services_records.case_confirm_closure(actor=director_two, case=case)
    assert waiting(cast.director) == waiting(director_two) == []
    assert still_unread(told_of_it) == 0


def test_a_closure_sent_back_to_work_leaves_the_list_and_a_new_request_tells_again(cast):
    case = case_at(cast, "closing")
    services_records.case_reopen(actor=cast.director, case=case)
    assert waiting(cast.director) == []
    before = told(cast.director, case.number)
    services_records.case_request_closure(actor=cast.counselor, case=case, closing_summary="好转")
    assert waiting(cast.director) == ["closure"]
    assert told(cast.director, case.number) == before + 1


def test_confirming_a_closure_also_clears_the_approval_of_a_draft_it_discards(cast):
    case = case_at(cast, "closing")
    draft(cast, case)
    assert sorted(waiting(cast.director)) == ["closure", "plan_approval"]
    services_records.case_confirm_closure(actor=cast.director, case=case)
    assert waiting(cast.director) == []


def test_a_conference_invitation_waits_for_each_participant_until_it_is_held(cast, signed_in):
    case = case_at(cast, "assessing")
    conference = services_plans.conference_convene(
        actor=cast.director,
        case=case,
        scheduled_at=timezone.now() + datetime.timedelta(days=2),
        place="三楼会议室",
        agenda="讨论帮扶方案",
        participants=[(cast.counselor, Role.COUNSELOR), (cast.class_teacher, Role.CLASS_TEACHER)],
    )
    assert waiting(cast.counselor) == waiting(cast.class_teacher) == ["conference"]
    assert waiting(cast.director) == []  # the convener is not invited to their own meeting
    assert waiting(cast.second_counselor) == []
    invitation = Notification.objects.get(recipient=cast.class_teacher)
    assert "三楼会议室" not in invitation.title and "讨论" not in invitation.title
    page = signed_in(cast.class_teacher).get(reverse("core:waiting")).content.decode()
    assert reverse("cases:conference_share", args=[conference.pk]) in page
    told_of_it = notices(cast.counselor, cast.class_teacher)

    Conference.objects.filter(pk=conference.pk).update(  # the day comes; it is held
        scheduled_at=timezone.now() - datetime.timedelta(hours=1)
    )
    conference.refresh_from_db()
    services_plans.conference_record(
        actor=cast.director,
        conference=conference,
        attended=[cast.director.pk, cast.counselor.pk],
        decisions="制定个别帮扶方案。",
        shared_summary="",
    )
    assert waiting(cast.counselor) == waiting(cast.class_teacher) == []
    assert still_unread(told_of_it) == 0


def test_a_due_referral_follow_up_waits_for_the_cases_counselors_once(cast, signed_in):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "referral")
    referral = services_referrals.referral_create(
        actor=cast.counselor,
        case=case,
        kind="external",
        reason="需要专科评估。",
        follow_up_due=timezone.localdate() + datetime.timedelta(days=3),
        to_service=outside_service(cast),
    )
    services_records.reviews_and_follow_ups_remind()
    assert waiting(cast.counselor) == []  # not due yet
    before = told(cast.counselor, case.number)
    due = timezone.localdate() + datetime.timedelta(days=3)
    services_records.reviews_and_follow_ups_remind(today=due)
    services_records.reviews_and_follow_ups_remind(today=due)
    assert waiting(cast.counselor) == ["referral_follow_up"]
    assert told(cast.counselor, case.number) == before + 1
    assert waiting(cast.second_counselor) == waiting(cast.director) == []
    page = signed_in(cast.counselor).get(reverse("core:waiting")).content.decode()
    assert reverse("cases:referral_detail", args=[referral.pk]) in page

    services_referrals.referral_record_outcome(
        actor=cast.counselor, referral=referral, outcome="已就诊"
    )
    assert waiting(cast.counselor) == []


def test_the_case_list_filters_the_cases_awaiting_approval(cast, signed_in):
    def another_student(number: int) -> Student:
        return Student.objects.create(
            school=cast.school,
            user=make_user("student", school=cast.school, username=f"student-{number}"),
            name=f"学生{number}",
            student_number=f"20260701{number:02d}",
            gender="F",
            school_class=cast.school_class,
        )

    with_draft = case_at(cast, "assessing")
    draft(cast, with_draft)
    closing = case_at(cast, "closing", student=another_student(2))
    case_at(cast, "active", student=another_student(3))
    case_at(cast, "assessing", student=another_student(4))
    response = signed_in(cast.director).get(reverse("cases:case_list") + "?state=awaiting_approval")
    assert response.status_code == 200
    assert {c.pk for c in response.context["page"]} == {with_draft.pk, closing.pk}
    assert 'value="awaiting_approval" selected' in response.content.decode()
    api = signed_in(cast.director).get("/api/cases/cases?state=awaiting_approval")
    assert {row["id"] for row in api.json()["items"]} == {with_draft.pk, closing.pk}
