"""Issue 12 item 23: the pending steps of core/steps.py, the "waiting for me" page and what the
access kernel lets each person see of them (the steps of each app are tested with the app)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinqiao.core.models import Notification, PendingStep
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.people.models import RoleAssignment
from xinqiao.people.services import role_withdraw

pytestmark = pytest.mark.django_db


def wait_on_class(cast, *assignees) -> list[PendingStep]:
    """Some step waiting on the cast's class (any object serves: steps name it generically)."""
    return step_waiting(
        kind="example",
        obj=cast.school_class,
        assignees=assignees,
        title="一项事项等待您处理",
        url="/somewhere/",
        school_id=cast.school.pk,
    )


def test_a_step_tells_each_assignee_once_however_often_it_starts(cast):
    assert len(wait_on_class(cast, cast.director, cast.director)) == 1
    assert wait_on_class(cast, cast.director) == []
    assert len(wait_on_class(cast, cast.director, cast.principal)) == 1
    assert Notification.objects.filter(recipient=cast.director).count() == 1
    assert Notification.objects.filter(recipient=cast.principal).count() == 1


def test_the_waiting_page_lists_only_the_signed_in_persons_steps(cast, signed_in):
    wait_on_class(cast, cast.director)
    mine = signed_in(cast.director).get(reverse("core:waiting"))
    assert mine.status_code == 200
    assert 'href="/somewhere/"' in mine.content.decode()
    assert reverse("core:waiting") in mine.content.decode()  # reachable from every page
    for other in (cast.principal, cast.counselor, cast.foreign_director):
        page = signed_in(other).get(reverse("core:waiting"))
        assert list(page.context["steps"]) == []
        assert 'href="/somewhere/"' not in page.content.decode()


def test_the_waiting_page_filters_by_what_waits_and_pages(cast, signed_in):
    from xinqiao.core.views.waiting import PAGE_SIZE

    wait_on_class(cast, cast.director)
    step_waiting(
        kind="example",
        obj=cast.school,
        assignees=[cast.director],
        title="学校的一项事项",
        url="/school-thing/",
        school_id=cast.school.pk,
    )
    client = signed_in(cast.director)
    page = client.get(reverse("core:waiting")).content.decode()
    assert page.count('data-testid="waiting-kind"') == 2
    only = client.get(reverse("core:waiting"), {"type": "people.SchoolClass"})
    assert [step.url for step in only.context["steps"]] == ["/somewhere/"]
    # An unknown kind shows everything, as the page without a filter.
    assert len(client.get(reverse("core:waiting"), {"type": "x.Y"}).context["steps"]) == 2
    for number in range(PAGE_SIZE):
        step_waiting(
            kind=f"example-{number}",
            obj=cast.school,
            assignees=[cast.director],
            title="又一项",
            url="/more/",
            school_id=cast.school.pk,
        )
    first = client.get(reverse("core:waiting"))
    assert len(first.context["steps"]) == PAGE_SIZE and "?page=2" in first.content.decode()
    assert len(client.get(reverse("core:waiting"), {"page": 2}).context["steps"]) == 2


def test_a_person_who_left_the_school_no_longer_sees_its_steps(cast):
    wait_on_class(cast, cast.director)
    role_withdraw(assignment=RoleAssignment.objects.get(user=cast.director, role="director"))
    assert list(PendingStep.objects.for_user(cast.director)) == []


def test_a_step_done_leaves_every_list_and_its_notices_are_read(cast):
    wait_on_class(cast, cast.director, cast.principal)
    assert step_done(obj=cast.school_class, kind="other kind") == 0
    assert step_done(obj=cast.school_class) == 2
    assert not PendingStep.objects.exists()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("core:waiting"))
    assert response.status_code == 302
    assert PendingStep.objects.for_user(response.wsgi_request.user).count() == 0
