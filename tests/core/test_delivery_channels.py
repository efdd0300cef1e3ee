"""Issue 14 item 3: the administrator configures a school's outside channels on a page; the
robot's address and secret are kept encrypted and never shown back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from tests.core.robot_receiver import RobotReceiver
from xinqiao.core.models import DeliveryChannel

pytestmark = pytest.mark.django_db
ROBOT_KEY = "robotkey-5c1e"
SECRET = "SECsecret-9d2b"


@pytest.fixture
def receiver():
    started = RobotReceiver(dingtalk_secret=SECRET).start()
    yield started
    started.stop()


def add(client, cast, **fields):
    data = {"school": cast.school.pk, "name": "心理中心钉钉群", "after_minutes": 10, **fields}
    return client.post(reverse("core:delivery_channel_add"), data)


def test_the_admin_adds_a_dingtalk_robot_kept_encrypted(cast, client, signed_in, receiver):
    signed_in(cast.admin)
    url = f"{receiver.url}/robot/send?access_token={ROBOT_KEY}"
    response = add(
        client, cast, kind="dingtalk", webhook_url=url, secret=SECRET, mention_mobiles="on"
    )
    assert response.status_code == 302

    channel = DeliveryChannel.objects.get()
    assert (channel.school_id, channel.webhook_url, channel.secret) == (cast.school.pk, url, SECRET)
    from auditlog.models import LogEntry

    [recorded] = LogEntry.objects.get_for_object(channel)
    assert recorded.actor == cast.admin
    assert ROBOT_KEY not in str(recorded.changes) and SECRET not in str(recorded.changes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url, secret FROM core_deliverychannel")
        stored = " ".join(cursor.fetchone())
    assert ROBOT_KEY not in stored and SECRET not in stored

    for page in (
        client.get(reverse("core:delivery_channels")),
        client.get(reverse("core:delivery_channel_edit", kwargs={"pk": channel.pk})),
    ):
        assert page.status_code == 200
        assert ROBOT_KEY not in page.content.decode() and SECRET not in page.content.decode()

    test = client.post(reverse("core:delivery_channel_test", kwargs={"pk": channel.pk}))
    assert test.status_code == 302
    [message] = receiver.received
    assert message.signature_ok is True and message.payload["msgtype"] == "markdown"


def test_a_blank_address_on_change_keeps_the_stored_one(cast, client, signed_in):
    channel = DeliveryChannel.objects.create(
        school_id=cast.school.pk,
        kind="wecom",
        name="企业微信群",
        after_minutes=10,
        webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={ROBOT_KEY}",
    )
    signed_in(cast.admin)
    response = client.post(
        reverse("core:delivery_channel_edit", kwargs={"pk": channel.pk}),
        {"kind": "wecom", "name": "班主任群", "after_minutes": 20, "webhook_url": "", "secret": ""},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "班主任群" and channel.after_minutes == 20
    assert ROBOT_KEY in channel.webhook_url and not channel.enabled  # unticked: not in use


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "wecom", "webhook_url": ""},
        {"kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"},
        {"kind": "dingtalk", "webhook_url": "ftp://x/robot?access_token=a"},
        {"kind": "dingtalk", "webhook_url": "https://x/robot?access_token=a", "secret": "abc"},
        {"kind": "wecom", "webhook_url": "https://x/send?key=a", "secret": "SECabc"},
        {"kind": "email", "after_minutes": -1},
        {"kind": "email", "after_minutes": 100000},
        {"kind": "sms"},
    ],
)
def test_a_wrong_channel_is_refused_with_what_was_typed(cast, client, signed_in, fields):
    signed_in(cast.admin)
    response = add(client, cast, name="我输入的名称", **fields)
    assert response.status_code == 400
    assert "我输入的名称" in response.content.decode()
    assert not DeliveryChannel.objects.exists()


def test_a_failing_test_message_says_why(cast, client, signed_in, receiver):
    receiver.failures = [500]
    channel = DeliveryChannel.objects.create(
        school_id=cast.school.pk,
        kind="wecom",
        name="群",
        after_minutes=0,
        webhook_url=f"{receiver.url}/send?key=a",
    )
    signed_in(cast.admin)
    response = client.post(
        reverse("core:delivery_channel_test", kwargs={"pk": channel.pk}), follow=True
    )
    assert "HTTP 500" in response.content.decode()


def test_the_test_email_goes_to_the_admin(cast, client, signed_in, mailoutbox):
    cast.admin.email = "it@school.example"
    cast.admin.save()
    channel = DeliveryChannel.objects.create(
        school_id=cast.school.pk, kind="email", name="邮件", after_minutes=5
    )
    signed_in(cast.admin)
    client.post(reverse("core:delivery_channel_test", kwargs={"pk": channel.pk}))
    [mail] = mailoutbox
    assert mail.to == ["it@school.example"]


def test_the_director_sees_the_schools_failed_deliveries_and_no_other_school(
    cast, client, signed_in
):
    from xinqiao.core.models import Delivery, Notification
    from xinqiao.core.notifications import notify

    channel = DeliveryChannel.objects.create(
        school_id=cast.school.pk,
        kind="wecom",
        name="群",
        after_minutes=0,
        webhook_url="http://127.0.0.1:9/send?key=a",
    )
    [notice] = notify(
        recipients=[cast.counselor],
        title="紧急通知甲",
        school_id=cast.school.pk,
        level=Notification.Level.URGENT,
    )
    Delivery.objects.filter(notification=notice, channel=channel).update(
        state="failed", last_error="HTTP 502"
    )
    signed_in(cast.foreign_director)
    assert "紧急通知甲" not in client.get(reverse("core:deliveries")).content.decode()
    signed_in(cast.director)
    assert "HTTP 502" in client.get(reverse("core:deliveries")).content.decode()
    assert client.get(reverse("core:delivery_channels")).status_code == 403


def test_the_deliveries_page_costs_the_same_queries_for_many_rows(
    cast, client, signed_in, django_assert_max_num_queries
):
    from xinqiao.core.models import Delivery, Notification
    from xinqiao.core.notifications import notify

    DeliveryChannel.objects.create(
        school_id=cast.school.pk, kind="email", name="邮件", after_minutes=0
    )
    for person in (cast.counselor, cast.duty, cast.principal, cast.class_teacher):
        person.email = f"{person.username}@school.example"
        person.save()
        notify(
            recipients=[person],
            title="紧急通知",
            school_id=cast.school.pk,
            level=Notification.Level.URGENT,
        )
    Delivery.objects.update(state="failed", last_error="SMTPServerDisconnected")
    signed_in(cast.director)
    client.get(reverse("core:deliveries"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("core:deliveries"))
    assert page.content.decode().count('data-testid="delivery-row"') == 4
