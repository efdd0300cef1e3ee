"""Alerts on the outside channels (issue 14 item 3): a notice about a waiting alert, acknowledged
in the app or by the signed link of its e-mail or robot message, acknowledges the alert; once
someone has it, the messages not yet sent are cancelled. The class teacher's instruction is
acknowledged on its own and never acknowledges the alert."""

from __future__ import annotations

import datetime

import pytest

from tests.crisis.test_escalation import raise_
from xinqiao.core.models import Delivery, DeliveryChannel, Notification
from xinqiao.core.notifications import notification_acknowledge
from xinqiao.crisis.escalation import escalate_due_alerts
from xinqiao.crisis.models import Alert, AlertNotice

pytestmark = pytest.mark.django_db


def notice_of(alert: Alert, user) -> Notification:
    return AlertNotice.objects.get(alert=alert, recipient=user, step=0).notification


@pytest.fixture
def robot(cast) -> DeliveryChannel:
    return DeliveryChannel.objects.create(
        school_id=cast.school.pk,
        kind=DeliveryChannel.Kind.WECOM,
        name="企业微信值班群",
        webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=test",
        after_minutes=5,
    )


def test_acknowledging_the_notice_by_its_link_acknowledges_the_alert_and_stops_the_rest(
    cast, robot
):
    alert = raise_(cast)
    principal_notice = notice_of(alert, cast.principal)
    assert principal_notice.requires_acknowledgement
    pending = Delivery.objects.filter(notification__object_id=alert.pk)
    assert pending.filter(state=Delivery.State.PENDING).count() >= 3

    assert notification_acknowledge(actor=cast.principal, notification=principal_notice, via="link")
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED
    assert alert.events.last().actor == cast.principal
    assert not pending.filter(state=Delivery.State.PENDING).exists()
    told = AlertNotice.objects.filter(alert=alert).count()
    escalate_due_alerts(now=alert.raised_at + datetime.timedelta(hours=3))
    assert AlertNotice.objects.filter(alert=alert).count() == told


def test_the_class_teachers_instruction_does_not_acknowledge_the_alert(cast, robot):
    alert = raise_(cast)
    instruction = notice_of(alert, cast.class_teacher)
    assert instruction.object_type == ""
    assert notification_acknowledge(actor=cast.class_teacher, notification=instruction)
    alert.refresh_from_db()
    assert alert.state == Alert.State.RAISED
    assert alert.events.count() == 1
