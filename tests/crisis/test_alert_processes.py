"""Issue 14 item 4 for alerts: two `xinqiao serve` and two `xinqiao worker` on one database and
one task queue (PostgreSQL + Redis in `make test`'s second run, SQLite files in its first).
危机 alerts are raised through the API of either server; their escalation runs on the workers,
step after step (the school's deadline is set to nothing, so each step is due at once and the
whole chain runs within seconds), while one worker is killed with SIGKILL mid-way and started
again. Every step of every alert is told exactly once, and the school's WeCom robot receives each
of those notices exactly once: none lost, none twice.

The robot refuses (503) until the worker is killed, so deliveries are pending and claimed at
that moment too. Waits are bounded polls, never sleeps that assert; everything on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter

import pytest
from django.core import signing

from tests.core.robot_receiver import RobotReceiver
from tests.deployment import LEASE_SECONDS, Deployment, free_port, wait_until
from xinqiao.core.models import Delivery, DeliveryChannel
from xinqiao.core.notifications import LINK_SALT
from xinqiao.core.services import api_token_create
from xinqiao.crisis.escalation import last_step
from xinqiao.crisis.models import Alert, AlertEscalation, AlertNotice, EscalationPolicy

ALERTS = 8
LINK = re.compile(r"/ack/([^/\s]+)/")


def raise_through_api(port: int, key: str, number: int, student_id: int) -> int:
    body = json.dumps(
        {
            "risk_level": "crisis",
            "source": "duty_phone",
            "evidence": f"第{number}个电话:说今晚要跳楼",
            "student_id": student_id,
            "key": f"process-test-{number}",
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/crisis/alerts",
        data=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        assert response.status == 201
        return json.loads(response.read())["id"]


def chain_finished() -> bool:
    """Every alert told to the top of its chain and reminded (nothing is due any more)."""
    return not AlertEscalation.objects.exclude(due_at=None).exists()


@pytest.mark.django_db(transaction=True)
def test_alerts_escalate_exactly_once_while_a_worker_is_killed(cast, tmp_path):
    ports = [free_port(), free_port()]
    deployment = Deployment(tmp_path, ports[0])
    receiver = RobotReceiver(failures=[503] * 100_000).start()  # refuses until opened below
    EscalationPolicy.objects.create(school=cast.school, crisis_minutes=0)
    DeliveryChannel.objects.create(
        school_id=cast.school.pk,
        kind="wecom",
        name="心理中心群",
        after_minutes=0,
        webhook_url=f"{receiver.url}/cgi-bin/webhook/send?key=district",
        mention_mobiles=False,
    )
    _token, key = api_token_create(user=cast.duty, name="process test")
    try:
        _servers, workers = deployment.start_district(ports)
        alert_ids = [
            raise_through_api(ports[number % 2], key, number, cast.student_record.pk)
            for number in range(ALERTS)
        ]
        wait_until(
            lambda: AlertNotice.objects.filter(step__gte=1).exists(),
            seconds=180,
            what="the escalation under way on the workers",
            processes=workers,
        )
        deployment.kill_and_restart(workers, 0)  # mid-way: steps and deliveries pending
        receiver.failures.clear()  # the robot answers again

        # A step a killed worker dropped is the next minute's sweep's.
        wait_until(chain_finished, seconds=300, what="every alert's chain told", processes=workers)
        notices = AlertNotice.objects.filter(alert_id__in=alert_ids)
        wait_until(
            lambda: Delivery.objects.filter(state="sent").count() == notices.count(),
            seconds=LEASE_SECONDS + 300,
            what="every notice sent to the robot",
            processes=workers,
        )

        # Every step of every alert told, each person once per step (the constraint makes a
        # second telling fail whole, so equal counts across alerts mean none was lost).
        alert = Alert.objects.get(pk=alert_ids[0])
        per_alert = Counter(
            (notice.alert_id, notice.step) for notice in notices.only("alert_id", "step")
        )
        first = {step: per_alert[(alert.pk, step)] for step in range(last_step(alert) + 1)}
        # Told at once: the director, both counselors, the principal, the vice principal and
        # the class teacher; then student affairs; then the six staff (the class teacher
        # aside) reminded three times.
        assert first == {0: 6, 1: 1, 2: 6, 3: 6, 4: 6}
        for alert_id in alert_ids:
            assert {step: per_alert[(alert_id, step)] for step in first} == first
        assert len(per_alert) == ALERTS * len(first)

        # The robot received each notice exactly once (named by its acknowledgement link).
        sent = Counter(
            signing.loads(
                LINK.search(message.payload["markdown"]["content"]).group(1), salt=LINK_SALT
            )["n"]
            for message in receiver.received
        )
        assert set(sent.values()) == {1}, sent
        assert set(sent) == set(notices.values_list("notification_id", flat=True))
    except BaseException:
        print(deployment.log())
        raise
    finally:
        deployment.stop()
        receiver.stop()
