"""Issue 14 item 3: a notice counts as delivered once a person acknowledged it: in the app, or
by the signed link of an outside message, which works once and expires."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinqiao.core import notifications
from xinqiao.core.models import Notification
from xinqiao.core.notifications import (
    acknowledgement_token,
    notification_acknowledge,
    notify,
    register_acknowledgement_handler,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(monkeypatch):
    """A handler of the test's own, as the crisis app registers one: it sees every
    acknowledgement, and its calls are returned."""
    monkeypatch.setattr(notifications, "_acknowledgement_handlers", [])
    calls = []

    def handler(notification, user):
        assert notification.object_type == "people.School"  # what notify(about=...) named
        calls.append((notification.pk, user.pk, notification.acknowledged_at is not None))

    register_acknowledgement_handler(handler)
    register_acknowledgement_handler(handler)  # once is enough
    return calls


@pytest.fixture
def notice(cast):
    [created] = notify(
        recipients=[cast.class_teacher],
        title="请立即查看一条危机预警",
        body="请在10分钟内确认收到。",
        url="/crisis/alerts/1/",
        level=Notification.Level.URGENT,
        school_id=cast.school.pk,
        about=cast.school,  # the crisis app names its alert
    )
    return created


def link(notice, **kwargs) -> str:
    return reverse(
        "core:acknowledge_link", kwargs={"token": acknowledgement_token(notice, **kwargs)}
    )


def test_acknowledging_in_the_app_runs_the_handlers_once(cast, notice, handled, client, signed_in):
    signed_in(cast.class_teacher)
    url = reverse("core:notification_acknowledge", kwargs={"pk": notice.pk})
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert 'data-acknowledged="yes"' in response.content.decode()
    client.post(url)  # a second tap

    notice.refresh_from_db()
    assert notice.acknowledged_at is not None and notice.read_at is not None
    assert notice.acknowledged_via == "app"
    assert handled == [(notice.pk, cast.class_teacher.pk, True)]


def test_nobody_else_acknowledges_someone_elses_notice(cast, notice, handled, client, signed_in):
    signed_in(cast.director)
    response = client.post(reverse("core:notification_acknowledge", kwargs={"pk": notice.pk}))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.acknowledged_at is None and handled == []


def test_a_failing_handler_undoes_the_acknowledgement(cast, notice, monkeypatch):
    monkeypatch.setattr(notifications, "_acknowledgement_handlers", [])

    def broken(notification, user):
        raise RuntimeError("the alert could not be updated")

    register_acknowledgement_handler(broken)
    with pytest.raises(RuntimeError):
        notification_acknowledge(actor=cast.class_teacher, notification=notice)
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_the_link_asks_on_get_and_acknowledges_on_post_once(cast, notice, handled, client):
    url = link(notice)

    page = client.get(url)  # a link scanner, or the teacher opening the message
    assert page.status_code == 200 and 'data-state="confirm"' in page.content.decode()
    assert "请立即查看一条危机预警" in page.content.decode()
    assert "请在10分钟内确认收到" not in page.content.decode()  # the title, nothing more
    assert "/crisis/alerts/1/" not in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    notice.refresh_from_db()
    assert notice.acknowledged_at is None and handled == []

    done = client.post(url)
    assert 'data-state="acknowledged"' in done.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_via == "link"
    assert handled == [(notice.pk, cast.class_teacher.pk, True)]

    again = client.post(url)
    assert again.status_code == 200 and 'data-state="done"' in again.content.decode()
    assert len(handled) == 1


def test_the_link_expires(cast, notice, handled, client, settings):
    issued = timezone.now() - datetime.timedelta(hours=settings.ACKNOWLEDGE_LINK_HOURS, seconds=1)
    response = client.post(link(notice, now=issued))
    assert response.status_code == 410 and 'data-state="expired"' in response.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_at is None and handled == []

    still_valid = timezone.now() - datetime.timedelta(hours=settings.ACKNOWLEDGE_LINK_HOURS - 1)
    assert client.post(link(notice, now=still_valid)).status_code == 200


def test_a_forged_link_acknowledges_nothing(cast, notice, handled, client):
    token = acknowledgement_token(notice)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(reverse("core:acknowledge_link", kwargs={"token": forged}))
    assert response.status_code == 404 and 'data-state="invalid"' in response.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_at is None and handled == []


def test_a_notice_without_acknowledgement_has_no_link_that_works(cast, handled, client):
    [info] = notify(recipients=[cast.class_teacher], title="新的排班", school_id=cast.school.pk)
    assert client.post(link(info)).status_code == 404
    info.refresh_from_db()
    assert info.acknowledged_at is None


def test_the_list_shows_read_unread_and_acknowledged(cast, notice, client, signed_in):
    notify(recipients=[cast.class_teacher], title="新的排班", school_id=cast.school.pk)
    signed_in(cast.class_teacher)
    page = client.get(reverse("core:notifications")).content.decode()
    assert page.count('data-read="no"') == 2
    assert 'data-testid="acknowledge"' in page and 'data-testid="mark-read"' in page

    notification_acknowledge(actor=cast.class_teacher, notification=notice)
    fragment = client.get(reverse("core:notifications"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert 'data-acknowledged="yes"' in fragment and fragment.count('data-read="no"') == 1


def test_the_bell_fragment_counts_unread_notices_in_few_queries(
    cast, notice, client, signed_in, django_assert_max_num_queries
):
    signed_in(cast.class_teacher)
    client.get(reverse("core:notification_bell"))
    with django_assert_max_num_queries(6):
        bell = client.get(reverse("core:notification_bell"), HTTP_HX_REQUEST="true")
    assert '<mark data-testid="unread-count">1</mark>' in bell.content.decode()
    assert "<html" not in bell.content.decode()


def test_the_api_lists_my_notices_and_acknowledges_one(cast, notice, handled, client, signed_in):
    signed_in(cast.class_teacher)
    listed = client.get("/api/notifications?awaiting_acknowledgement=true").json()
    assert [item["id"] for item in listed["items"]] == [notice.pk]
    assert listed["items"][0]["requires_acknowledgement"] is True

    url = f"/api/notifications/{notice.pk}/acknowledge"
    answer = client.post(url)
    assert answer.status_code == 200 and answer.json()["acknowledged_at"] is not None
    assert client.post(url).status_code == 200  # again: no change
    assert len(handled) == 1
    assert client.get("/api/notifications?awaiting_acknowledgement=true").json()["count"] == 0


def test_the_api_refuses_someone_elses_notice(cast, notice, handled, client, signed_in):
    signed_in(cast.director)
    assert client.get("/api/notifications").json()["count"] == 0
    assert client.post(f"/api/notifications/{notice.pk}/acknowledge").status_code == 404
    notice.refresh_from_db()
    assert notice.acknowledged_at is None and handled == []
