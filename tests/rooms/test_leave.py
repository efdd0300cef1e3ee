"""Leave from a duty (seed 000): asked in advance, in force only once the director approves;
the gap is filled with a substitute the system proposes; every decision is recorded."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import sign_in
from tests.factories import make_user
from tests.rooms.factories import (
    OpeningPeriodFactory,
    RoomFactory,
    in_days,
    make_shift,
    term_around_today,
)
from xinqiao.core.models import Notification
from xinqiao.rooms.leave import services
from xinqiao.rooms.models import DutyShift, LeaveRequest
from xinqiao.rooms.roster.selectors import free_people
from xinqiao.rooms.roster.services import roster_generate, roster_plan_save, roster_publish

pytestmark = pytest.mark.django_db

T = datetime.time


@pytest.fixture
def term(cast):
    return term_around_today(cast.semester)


@pytest.fixture
def shift(cast, term):
    return make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(3))


def ask(cast, shift, reason="孩子生病") -> LeaveRequest:
    return services.leave_request(actor=cast.duty, shift=shift, reason=reason)


def test_the_shift_keeps_its_person_until_the_director_approves(cast, shift):
    leave = ask(cast, shift)
    shift.refresh_from_db()
    assert leave.state == LeaveRequest.State.REQUESTED
    assert shift.user == cast.duty  # asking is not being on leave
    assert cast.duty in [s.user for s in DutyShift.objects.filter(pk=shift.pk)]
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    shift.refresh_from_db()
    assert shift.user is None
    assert shift.origin == DutyShift.Origin.EXCEPTION
    leave.refresh_from_db()
    assert (leave.state, leave.decided_by) == (LeaveRequest.State.APPROVED, cast.director)


def test_a_refusal_needs_a_note_and_leaves_the_person_on_duty(cast, shift):
    leave = ask(cast, shift)
    with pytest.raises(ValidationError, match="请说明不批准请假的原因"):
        services.leave_decide(actor=cast.director, leave=leave, approve=False)
    leave.refresh_from_db()
    assert (leave.state, leave.decided_by) == (LeaveRequest.State.REQUESTED, None)
    services.leave_decide(actor=cast.director, leave=leave, approve=False, note="当天人手不足")
    shift.refresh_from_db()
    leave.refresh_from_db()
    assert shift.user == cast.duty
    assert (leave.state, leave.decision_note) == (LeaveRequest.State.REFUSED, "当天人手不足")
    # Told, and sent to the request for the note: a notification never copies free text.
    told = Notification.objects.get(recipient=cast.duty)
    assert told.url == reverse("rooms:leave_detail", args=[leave.pk])
    assert "当天人手不足" not in told.title + told.body


@pytest.mark.parametrize(
    ("role", "status"),
    # The requester sees their request but may not decide it; others do not see it.
    [("duty", 403), ("counselor", 404), ("principal", 404), ("outsider", 404)],
)
def test_nobody_but_the_director_decides(client, cast, shift, role, status):
    leave = ask(cast, shift)
    sign_in(client, getattr(cast, role))
    response = client.post(reverse("rooms:leave_decide", args=[leave.pk]), {"decision": "approve"})
    assert response.status_code == status
    shift.refresh_from_db()
    leave.refresh_from_db()
    assert shift.user == cast.duty
    assert (leave.state, leave.decided_by) == (LeaveRequest.State.REQUESTED, None)


def test_a_director_of_another_school_cannot_see_or_decide(client, cast, shift, other_school):
    leave = ask(cast, shift)
    foreign_director = make_user("director", school=other_school, username="director-2")
    sign_in(client, foreign_director)
    assert client.get(reverse("rooms:leave_detail", args=[leave.pk])).status_code == 404
    response = client.post(reverse("rooms:leave_decide", args=[leave.pk]), {"decision": "approve"})
    assert response.status_code == 404
    substitute = client.post(
        reverse("rooms:leave_substitute", args=[leave.pk]), {"substitute": foreign_director.pk}
    )
    assert substitute.status_code == 404
    leave.refresh_from_db()
    shift.refresh_from_db()
    assert (leave.state, leave.substitute, shift.user) == ("requested", None, cast.duty)


def test_a_decision_is_taken_once(cast, shift):
    leave = ask(cast, shift)
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    with pytest.raises(ValidationError, match="此申请已审批或已撤回"):
        services.leave_decide(actor=cast.director, leave=leave, approve=False, note="改主意")
    leave.refresh_from_db()
    assert (leave.state, leave.decision_note) == (LeaveRequest.State.APPROVED, "")


def test_a_second_request_for_the_same_duty_is_refused_with_a_message(client, cast, shift):
    ask(cast, shift)
    with pytest.raises(ValidationError, match="您已为此次值班提交请假申请"):
        ask(cast, shift, reason="再次提交")
    assert LeaveRequest.objects.count() == 1
    sign_in(client, cast.duty)
    response = client.post(reverse("rooms:leave_request", args=[shift.pk]), {"reason": "再次提交"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert "再次提交" in response.content.decode()  # what was typed is kept
    assert LeaveRequest.objects.filter(shift=shift, state="requested").count() == 1


def test_two_requests_arriving_together_leave_one_and_a_clear_message(cast, shift):
    """The check before the insert can miss a twin sent at the same instant; the database
    constraint keeps one request, and the second sender gets the same message."""
    ask(cast, shift)
    with (
        mock.patch.object(services, "has_open_leave_request", return_value=False),
        pytest.raises(ValidationError, match="您已为此次值班提交请假申请"),
    ):
        ask(cast, shift)
    assert LeaveRequest.objects.filter(shift=shift, state="requested").count() == 1


def test_after_a_refusal_the_person_may_ask_again(cast, shift):
    first = ask(cast, shift)
    services.leave_decide(actor=cast.director, leave=first, approve=False, note="不行")
    second = ask(cast, shift, reason="确实有急事")
    assert second.state == LeaveRequest.State.REQUESTED


def test_leave_is_asked_for_ones_own_future_published_shift(cast, term, shift):
    past = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(-1))
    with pytest.raises(ValidationError, match="请假须在值班开始前提出"):
        ask(cast, past)
    draft = make_shift(
        school=cast.school, semester=term, user=cast.duty, day=in_days(5), published=False
    )
    with pytest.raises(ValidationError, match="此次值班不在已发布的值班表中"):
        ask(cast, draft)
    with pytest.raises(ValidationError, match="请说明不能值班的原因"):
        ask(cast, shift, reason="   ")
    assert not LeaveRequest.objects.exists()
    assert not Notification.objects.exists()


def test_someone_elses_shift_cannot_be_asked_off_in_the_page(client, cast, shift):
    sign_in(client, cast.counselor)
    url = reverse("rooms:leave_request", args=[shift.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert not LeaveRequest.objects.exists()


def test_the_directors_are_told_of_a_request_and_the_person_of_the_decision(cast, shift):
    leave = ask(cast, shift)
    url = reverse("rooms:leave_detail", args=[leave.pk])
    assert Notification.objects.filter(recipient=cast.director, url=url).exists()
    assert not Notification.objects.filter(recipient=cast.counselor).exists()
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    assert Notification.objects.filter(recipient=cast.duty, url=url).exists()


def test_every_decision_is_in_the_change_history(client, cast, shift):
    leave = ask(cast, shift)
    sign_in(client, cast.director)
    client.post(reverse("rooms:leave_decide", args=[leave.pk]), {"decision": "approve"})
    client.post(
        reverse("rooms:leave_substitute", args=[leave.pk]), {"substitute": cast.counselor.pk}
    )
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(LeaveRequest), object_pk=str(leave.pk)
    )
    changes = [entry.changes_dict for entry in entries]
    assert any(c.get("state") == ["requested", "approved"] for c in changes)
    assert any("substitute" in c for c in changes)
    assert all(entry.actor == cast.director for entry in entries if entry.action == 1)
    shift_entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(DutyShift), object_pk=str(shift.pk)
    )
    assert shift_entries.filter(actor=cast.director).count() == 2  # cleared, then filled


def test_the_system_proposes_only_people_free_at_that_time(cast, term, shift):
    care = RoomFactory(school=cast.school, name="关爱室")
    busy = make_user("duty", school=cast.school, username="duty-busy")
    away = make_user("duty", school=cast.school, username="duty-away")
    free = make_user("duty", school=cast.school, username="duty-free")
    # busy: another room, overlapping but starting half an hour later.
    make_shift(
        school=cast.school,
        semester=term,
        user=busy,
        day=shift.date,
        room=care,
        starts_at=T(12, 30),
        ends_at=T(13, 30),
    )
    # away: on approved leave at that time (their shift is now a gap).
    away_shift = make_shift(
        school=cast.school,
        semester=term,
        user=away,
        day=shift.date,
        room=RoomFactory(school=cast.school, name="团体辅导室"),
    )
    away_leave = services.leave_request(actor=away, shift=away_shift, reason="出差")
    services.leave_decide(actor=cast.director, leave=away_leave, approve=True)
    leave = ask(cast, shift)
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    shift.refresh_from_db()
    proposed = set(free_people(shift=shift))
    assert free in proposed and cast.counselor in proposed and cast.director in proposed
    assert busy not in proposed
    assert away not in proposed
    assert cast.duty not in proposed  # on leave
    assert cast.class_teacher not in proposed and cast.outsider not in proposed
    with pytest.raises(ValidationError, match="该时段无法值班"):
        services.leave_assign_substitute(actor=cast.director, leave=leave, substitute=busy)
    leave.refresh_from_db()
    shift.refresh_from_db()
    assert (leave.substitute, shift.user) == (None, None)


def test_the_substitute_fills_the_gap_and_appears_on_the_roster(client, cast, term, shift):
    leave = ask(cast, shift)
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    services.leave_assign_substitute(actor=cast.director, leave=leave, substitute=cast.counselor)
    shift.refresh_from_db()
    leave.refresh_from_db()
    assert (shift.user, shift.origin) == (cast.counselor, DutyShift.Origin.SUBSTITUTE)
    assert leave.substitute == cast.counselor
    assert Notification.objects.filter(
        recipient=cast.counselor, url=reverse("rooms:my_duties")
    ).exists()
    sign_in(client, cast.duty)
    body = client.get(reverse("rooms:roster"), {"week": term.week_of(shift.date)}).content.decode()
    cell = body.split(f'data-testid="shift-{shift.pk}"')[1].split("</div>")[0]
    assert cast.counselor.display_name in cell and 'data-testid="substitute"' in cell


def test_a_substitute_waits_for_the_approval(cast, shift):
    leave = ask(cast, shift)
    with pytest.raises(ValidationError, match="请假获批后才能安排替班人员"):
        services.leave_assign_substitute(
            actor=cast.director, leave=leave, substitute=cast.counselor
        )
    shift.refresh_from_db()
    leave.refresh_from_db()
    assert (shift.user, leave.substitute) == (cast.duty, None)


def test_regenerating_the_roster_does_not_undo_an_approved_leave(cast, term):
    room = RoomFactory(school=cast.school)
    period = OpeningPeriodFactory(room=room, semester=term, weekday=in_days(3).weekday())
    roster_plan_save(actor=cast.director, room=room, semester=term, plan={period.pk: cast.duty})
    roster_generate(actor=cast.director, room=room, semester=term)
    roster_publish(actor=cast.director, room=room, semester=term)
    shift = DutyShift.objects.get(room=room, date=in_days(3))
    leave = ask(cast, shift)
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    roster_generate(actor=cast.director, room=room, semester=term)
    shift.refresh_from_db()
    assert shift.user is None


def test_the_requester_may_withdraw_a_waiting_request(client, cast, shift):
    leave = ask(cast, shift)
    sign_in(client, cast.duty)
    response = client.post(reverse("rooms:leave_withdraw", args=[leave.pk]))
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.state == LeaveRequest.State.WITHDRAWN


def test_the_director_lists_the_schools_requests_and_others_their_own(client, cast, term, shift):
    mine = ask(cast, shift)
    other_shift = make_shift(school=cast.school, semester=term, user=cast.counselor, day=in_days(4))
    theirs = services.leave_request(actor=cast.counselor, shift=other_shift, reason="培训")
    sign_in(client, cast.director)
    listed = client.get(reverse("rooms:leave_list"), {"state": "requested"}).context["page"]
    assert {leave.pk for leave in listed} == {mine.pk, theirs.pk}
    sign_in(client, cast.duty)
    listed = client.get(reverse("rooms:leave_list")).context["page"]
    assert [leave.pk for leave in listed] == [mine.pk]
    assert client.get(reverse("rooms:leave_detail", args=[theirs.pk])).status_code == 404


def test_the_pages_take_a_request_through_approval_and_substitution(client, cast, shift):
    sign_in(client, cast.duty)
    response = client.post(reverse("rooms:leave_request", args=[shift.pk]), {"reason": "体检"})
    leave = LeaveRequest.objects.get(shift=shift)
    assert response.status_code == 302
    sign_in(client, cast.director)
    detail = client.get(reverse("rooms:leave_detail", args=[leave.pk]))
    assert 'data-testid="decision-form"' in detail.content.decode()
    refused = client.post(reverse("rooms:leave_decide", args=[leave.pk]), {"decision": "refuse"})
    assert refused.status_code == 400 and "note" in refused.context["decision_form"].errors
    client.post(reverse("rooms:leave_decide", args=[leave.pk]), {"decision": "approve"})
    detail = client.get(reverse("rooms:leave_detail", args=[leave.pk]))
    assert cast.counselor in detail.context["free_people"]
    client.post(
        reverse("rooms:leave_substitute", args=[leave.pk]), {"substitute": cast.counselor.pk}
    )
    shift.refresh_from_db()
    assert shift.user == cast.counselor
