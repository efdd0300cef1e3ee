"""Issue 14 items 3-4: urgent notices on e-mail and the WeCom / DingTalk robots, sent once per
channel, retried with backoff, silence on one channel trying the next."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading
from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse

from tests.core.robot_receiver import RobotReceiver
from xinqiao.core import delivery
from xinqiao.core.delivery import delivery_claim, dingtalk_signed_url, send_due
from xinqiao.core.models import Delivery, DeliveryChannel, Notification
from xinqiao.core.notifications import notify

pytestmark = pytest.mark.django_db
CANARY = "CANARY-想死-7f3a"
DINGTALK_SECRET = "SEC0123456789abcdef"


@pytest.fixture
def receiver():
    started = RobotReceiver(dingtalk_secret=DINGTALK_SECRET).start()
    yield started
    started.stop()


@pytest.fixture
def teacher(cast):
    cast.class_teacher.email = "teacher@school.example"
    cast.class_teacher.phone = "13800000001"
    cast.class_teacher.save()
    return cast.class_teacher


def channel(cast, kind, after_minutes, url="", **extra) -> DeliveryChannel:
    return DeliveryChannel.objects.create(
        school_id=cast.school.pk,
        kind=kind,
        name=f"{kind} {after_minutes}",
        after_minutes=after_minutes,
        webhook_url=url,
        **extra,
    )


def urgent(cast, teacher, *, title="请立即查看一条危机预警") -> Notification:
    """An urgent notice whose link leads to material the message must not carry."""
    [notice] = notify(
        recipients=[teacher],
        title=title,
        body="请在10分钟内确认收到。",
        url=f"/crisis/alerts/{CANARY}/",
        level=Notification.Level.URGENT,
        school_id=cast.school.pk,
    )
    return notice


def later(notice, minutes=0, seconds=0):
    return notice.created_at + datetime.timedelta(minutes=minutes, seconds=seconds)


def test_an_urgent_notice_needs_acknowledgement_and_an_ordinary_one_does_not(cast, teacher):
    assert urgent(cast, teacher).requires_acknowledgement
    [info] = notify(recipients=[teacher], title="新的排班", school_id=cast.school.pk)
    assert not info.requires_acknowledgement
    channel(cast, "email", 0)
    notify(recipients=[teacher], title="新的排班", school_id=cast.school.pk)
    assert Delivery.objects.count() == 0


def test_wecom_markdown_reaches_the_robot_in_its_format(cast, teacher, receiver):
    channel(cast, "wecom", 5, f"{receiver.url}/cgi-bin/webhook/send?key=abc", mention_mobiles=False)
    notice = urgent(cast, teacher)

    assert send_due(now=later(notice, minutes=4)) == 0  # not silent long enough yet
    assert send_due(now=later(notice, minutes=5)) == 1

    [message] = receiver.received
    assert message.path == "/cgi-bin/webhook/send" and message.query == {"key": "abc"}
    assert set(message.payload) == {"msgtype", "markdown"}
    assert message.payload["msgtype"] == "markdown"
    content = message.payload["markdown"]["content"]
    assert "请立即查看一条危机预警" in content and "/ack/" in content
    assert CANARY not in str(message.payload)
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_wecom_text_mentions_the_person_by_mobile(cast, teacher, receiver):
    channel(cast, "wecom", 0, f"{receiver.url}/send?key=abc")
    notice = urgent(cast, teacher)
    send_due(now=later(notice))
    [message] = receiver.received
    assert message.payload["msgtype"] == "text"
    assert message.payload["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert "/ack/" in message.payload["text"]["content"]


def test_dingtalk_markdown_is_signed_and_mentions_the_person(cast, teacher, receiver):
    channel(
        cast, "dingtalk", 0, f"{receiver.url}/robot/send?access_token=tok", secret=DINGTALK_SECRET
    )
    notice = urgent(cast, teacher)
    send_due(now=later(notice))
    [message] = receiver.received
    assert message.signature_ok is True
    assert message.query["access_token"] == "tok"
    assert set(message.payload) == {"msgtype", "markdown", "at"}
    assert message.payload["msgtype"] == "markdown"
    assert message.payload["markdown"]["title"] == "请立即查看一条危机预警"
    assert "@13800000001" in message.payload["markdown"]["text"]
    assert message.payload["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert CANARY not in str(message.payload) and DINGTALK_SECRET not in str(message.payload)


def test_the_dingtalk_signature_is_dingtalks_own():
    """Computed apart from the code by DingTalk's recipe:
    printf '1700000000000\\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64"""
    url = dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", timestamp_ms=1700000000000
    )
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000"
        "&sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
    )


def test_a_failing_robot_is_retried_with_backoff_and_succeeds_later(cast, teacher, receiver):
    receiver.failures = [500, 500]
    channel(cast, "wecom", 0, f"{receiver.url}/send?key=abc")
    notice = urgent(cast, teacher)

    assert send_due(now=later(notice)) == 0
    retry = Delivery.objects.get()
    assert (retry.state, retry.attempts, retry.last_error) == ("pending", 1, "HTTP 500")
    assert retry.next_attempt_at == later(notice, seconds=30)
    assert send_due(now=later(notice, seconds=29)) == 0 and receiver.attempts == 1
    assert send_due(now=later(notice, seconds=30)) == 0  # the second failure waits twice as long
    assert Delivery.objects.get().next_attempt_at == later(notice, seconds=90)
    assert send_due(now=later(notice, seconds=90)) == 1

    sent = Delivery.objects.get()
    assert (sent.state, sent.attempts, sent.last_error) == ("sent", 3, "")
    assert receiver.attempts == 3 and len(receiver.received) == 1


def test_a_delivery_fails_after_its_attempts_and_the_director_retries_it(
    cast, teacher, receiver, settings, client, signed_in, django_capture_on_commit_callbacks
):
    settings.DELIVERY_ATTEMPTS = 2
    receiver.failures = [500, 500]
    channel(cast, "wecom", 0, f"{receiver.url}/send?key=abc")
    notice = urgent(cast, teacher)
    send_due(now=later(notice))
    send_due(now=later(notice, minutes=1))
    failed = Delivery.objects.get()
    assert (failed.state, failed.attempts) == ("failed", 2)
    [told] = Notification.objects.filter(recipient=cast.director)
    assert told.url == reverse("core:deliveries") and not told.requires_acknowledgement
    assert send_due(now=later(notice, minutes=60)) == 0  # given up: no more attempts

    signed_in(cast.director)
    page = client.get(reverse("core:deliveries"))
    assert "HTTP 500" in page.content.decode() and "请立即查看一条危机预警" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:delivery_retry", kwargs={"pk": failed.pk}))
    assert Delivery.objects.get().state == "sent"  # the queued task ran (tasks run at once)
    assert len(receiver.received) == 1


def test_silence_on_one_channel_tries_the_next(cast, teacher, receiver, mailoutbox):
    channel(cast, "email", 5)
    channel(cast, "wecom", 15, f"{receiver.url}/send?key=abc")
    notice = urgent(cast, teacher)

    assert send_due(now=later(notice, minutes=5)) == 1
    [mail] = mailoutbox
    assert mail.to == ["teacher@school.example"]
    assert mail.subject == "请立即查看一条危机预警" and "/ack/" in mail.body
    assert CANARY not in mail.body and not receiver.received

    assert send_due(now=later(notice, minutes=15)) == 1
    assert len(receiver.received) == 1 and len(mailoutbox) == 1


def test_acknowledging_in_the_app_stops_the_channels_not_yet_tried(
    cast, teacher, receiver, mailoutbox, client, signed_in
):
    channel(cast, "email", 5)
    channel(cast, "wecom", 15, f"{receiver.url}/send?key=abc")
    notice = urgent(cast, teacher)
    send_due(now=later(notice, minutes=5))

    signed_in(teacher)
    client.post(reverse("core:notification_acknowledge", kwargs={"pk": notice.pk}))

    assert send_due(now=later(notice, minutes=15)) == 0
    assert not receiver.received
    states = dict(Delivery.objects.values_list("channel__kind", "state"))
    assert states == {"email": "sent", "wecom": "cancelled"}


def test_a_person_without_an_address_gets_no_email_delivery(cast, receiver):
    channel(cast, "email", 0)
    urgent(cast, cast.counselor)  # no e-mail address
    assert Delivery.objects.count() == 0


def test_a_worker_killed_mid_flight_leaves_the_delivery_to_another_after_the_lease(
    cast, teacher, receiver, settings
):
    channel(cast, "wecom", 0, f"{receiver.url}/send?key=abc")
    notice = urgent(cast, teacher)
    claimed = delivery_claim(now=later(notice))  # this worker dies without sending
    assert claimed is not None

    assert send_due(now=later(notice, seconds=settings.DELIVERY_LEASE_SECONDS - 1)) == 0
    assert send_due(now=later(notice, seconds=settings.DELIVERY_LEASE_SECONDS)) == 1
    assert len(receiver.received) == 1
    assert Delivery.objects.get().attempts == 2


def test_a_notice_is_planned_once_per_channel(cast, teacher):
    email = channel(cast, "email", 0)
    notice = urgent(cast, teacher)
    delivery.deliveries_plan(notifications=[notice])  # planned again: a retry of the caller
    assert Delivery.objects.filter(notification=notice, channel=email).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_due_notice_exactly_once(cast, teacher, receiver):
    channel(cast, "wecom", 0, f"{receiver.url}/send?key=abc", mention_mobiles=False)
    notices = [urgent(cast, teacher, title=f"第{number}条紧急通知") for number in range(24)]
    now = later(notices[-1])
    errors = []

    def worker():
        try:
            send_due(now=now)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    titles = Counter(m.payload["markdown"]["content"].split("\n")[0] for m in receiver.received)
    assert len(titles) == 24 and set(titles.values()) == {1}
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def site_url_with(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINQIAO_", "PYTEST"))}
    env.update(
        XINQIAO_PROFILE="production",
        XINQIAO_DATA_DIR=str(tmp_path),
        XINQIAO_SECRET_KEY="s" * 60,
        XINQIAO_ALLOWED_HOSTS="xinqiao.school.example",
        DJANGO_SETTINGS_MODULE="xinqiao.settings",
        **extra,
    )
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_links_lead_to_the_schools_own_address_in_production(tmp_path):
    assert site_url_with(tmp_path).stdout.strip() == "https://xinqiao.school.example"
    refused = site_url_with(tmp_path, XINQIAO_SITE_URL="xinqiao.school.example")
    assert refused.returncode != 0 and "XINQIAO_SITE_URL" in refused.stderr


def test_an_unexpected_error_counts_as_a_failed_attempt(cast, teacher, receiver, monkeypatch):
    channel(cast, "wecom", 0, f"{receiver.url}/send?key=abc")
    notice = urgent(cast, teacher)

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(delivery, "robot_payload", broken)
    assert send_due(now=later(notice)) == 0
    failed = Delivery.objects.get()
    assert (failed.state, failed.attempts, failed.last_error) == ("pending", 1, "KeyError")
    assert failed.lease_until is None


def test_the_notices_about_an_object_stop_going_out_once_it_is_settled(cast, teacher, receiver):
    """The crisis app's case: one person acknowledged the alert, the others' messages stop."""
    channel(cast, "wecom", 5, f"{receiver.url}/send?key=abc")
    cast.director.email = "director@school.example"
    cast.director.save()
    notify(
        recipients=[teacher, cast.director],
        title="请立即查看一条危机预警",
        level=Notification.Level.URGENT,
        school_id=cast.school.pk,
        about=cast.school,
    )
    other = urgent(cast, teacher, title="另一条紧急通知")

    assert delivery.deliveries_cancel(about=cast.school) == 2
    assert send_due(now=later(other, minutes=5)) == 1
    [message] = receiver.received
    assert "另一条紧急通知" in message.payload["text"]["content"]
    assert Delivery.objects.get(notification=other).state == "sent"
