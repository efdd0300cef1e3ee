"""Issue 12 item 23: a leave request waits for the director's decision, and the gap an approved
leave leaves waits for a substitute; each is told once, listed on the "waiting for me" page and
cleared when it is done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.rooms.factories import in_days, make_shift, term_around_today
from xinqiao.core.models import Notification, PendingStep
from xinqiao.rooms.leave import services
from xinqiao.rooms.roster.services import shift_assign

pytestmark = pytest.mark.django_db


def waiting(user) -> list[str]:
    return [step.kind for step in PendingStep.objects.for_user(user)]


@pytest.fixture
def leave(cast):
    term = term_around_today(cast.semester)
    shift = make_shift(school=cast.school, semester=term, user=cast.duty, day=in_days(3))
    return services.leave_request(actor=cast.duty, shift=shift, reason="孩子生病")


@pytest.fixture
def director_two(cast):
    return make_user("director", school=cast.school, username="director-two")


def test_a_leave_request_waits_for_the_directors_decision(cast, signed_in, leave):
    assert waiting(cast.director) == ["leave"]
    assert Notification.objects.filter(recipient=cast.director, url__contains=leave.pk).count() == 1
    for other in (cast.duty, cast.counselor, cast.foreign_director, cast.principal):
        assert waiting(other) == []
    page = signed_in(cast.director).get(reverse("core:waiting")).content.decode()
    assert reverse("rooms:leave_detail", args=[leave.pk]) in page
    assert "孩子生病" not in page  # the reason stays on the request

    notice = PendingStep.objects.get(assignee=cast.director).notification
    services.leave_decide(actor=cast.director, leave=leave, approve=False, note="当天无人可替")
    assert waiting(cast.director) == []
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_withdrawn_leave_request_leaves_the_directors_list(cast, leave):
    services.leave_withdraw(actor=cast.duty, leave=leave)
    assert waiting(cast.director) == []


def test_an_approved_leave_waits_for_a_substitute_until_one_is_assigned(cast, leave, director_two):
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    assert waiting(cast.director) == waiting(director_two) == ["substitute"]
    services.leave_assign_substitute(actor=director_two, leave=leave, substitute=cast.counselor)
    assert waiting(cast.director) == waiting(director_two) == []


def test_a_gap_filled_on_the_roster_no_longer_waits_for_a_substitute(cast, leave):
    services.leave_decide(actor=cast.director, leave=leave, approve=True)
    shift_assign(actor=cast.director, shift=leave.shift, user=cast.counselor)
    assert waiting(cast.director) == []
