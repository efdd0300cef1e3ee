"""Issue 14 item 4, the district deployment: two `xinqiao serve` and two `xinqiao worker` on one
database and one task queue (PostgreSQL + Redis in `make test`'s second run, SQLite files in its
first), one worker killed with SIGKILL while notices are pending and started again: the robot
receives every due notice exactly once, and either server answers the acknowledgement link.

The robot refuses (503) at first, so every notice is pending, claimed and retried while the
worker is killed; then it accepts. Waits are bounded polls, never sleeps that assert.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter

import pytest

from tests.core.robot_receiver import RobotReceiver
from tests.deployment import LEASE_SECONDS, Deployment, fetch, free_port, wait_until
from xinqiao.core import delivery
from xinqiao.core.models import Delivery, DeliveryChannel, Notification
from xinqiao.core.notifications import notify
from xinqiao.core.tasks import send_due_deliveries

NOTICES = 30


@pytest.fixture
def receiver():
    started = RobotReceiver().start()
    yield started
    started.stop()


@pytest.mark.django_db(transaction=True)
def test_two_servers_two_workers_one_killed_send_every_notice_exactly_once(
    cast, receiver, tmp_path, monkeypatch
):
    ports = [free_port(), free_port()]
    deployment = Deployment(tmp_path, ports[0])
    # Notices made here go to the workers' queue, as a server's would (this process runs
    # its own tasks at once).
    send_to_workers = deployment.queue().task()(send_due_deliveries.func)
    monkeypatch.setattr(delivery, "_queue_sends", lambda delays: send_to_workers())
    receiver.failures = [503] * 10_000  # refuses until opened below
    DeliveryChannel.objects.create(
        school_id=cast.school.pk,
        kind="wecom",
        name="心理中心群",
        after_minutes=0,
        webhook_url=f"{receiver.url}/cgi-bin/webhook/send?key=district",
        mention_mobiles=False,
    )
    try:
        _servers, workers = deployment.start_district(ports)
        notices = [
            notify(
                recipients=[cast.class_teacher],
                title=f"第{number}条紧急通知",
                level=Notification.Level.URGENT,
                school_id=cast.school.pk,
            )[0]
            for number in range(NOTICES)
        ]
        wait_until(
            lambda: not Delivery.objects.filter(attempts=0).exists(),
            seconds=90,
            what="every notice tried once by the workers",
            processes=workers,
        )

        # Mid-flight: deliveries claimed and pending.
        deployment.kill_and_restart(workers, 0)
        receiver.failures.clear()  # the robot answers again

        wait_until(
            lambda: Delivery.objects.filter(state="sent").count() == NOTICES,
            seconds=LEASE_SECONDS + 150,
            what="every notice sent",
            processes=workers,
        )
        titles = Counter(
            message.payload["markdown"]["content"].split("\n")[0] for message in receiver.received
        )
        assert len(titles) == NOTICES and set(titles.values()) == {1}, titles

        # Either server answers the link of a message; the second use is refused.
        link = re.search(
            r"http://\S+/ack/\S+/", receiver.received[0].payload["markdown"]["content"]
        )
        path = urllib.parse.urlsplit(link.group(0)).path
        confirm, _ = fetch(f"http://127.0.0.1:{ports[1]}{path}")
        assert 'data-state="confirm"' in confirm
        done, _ = fetch(f"http://127.0.0.1:{ports[0]}{path}", post=True)
        assert 'data-state="acknowledged"' in done
        again, _ = fetch(f"http://127.0.0.1:{ports[1]}{path}", post=True)
        assert 'data-state="done"' in again
        assert (
            Notification.objects.filter(
                pk__in=[n.pk for n in notices], acknowledged_at__isnull=False
            ).count()
            == 1
        )
    except BaseException:
        print(deployment.log())
        raise
    finally:
        deployment.stop()
