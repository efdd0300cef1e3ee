"""Issue 14 item 4, the district deployment: two `xinqiao serve` and two `xinqiao worker` on one
database and one task queue (PostgreSQL + Redis in `make test`'s second run, SQLite files in its
first), one worker killed with SIGKILL while notices are pending and started again: the robot
receives every due notice exactly once, and either server answers the acknowledgement link.

The robot refuses (503) at first, so every notice is pending, claimed and retried while the
worker is killed; then it accepts. Waits are bounded polls, never sleeps that assert.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.core.robot_receiver import RobotReceiver
from xinqiao.core import delivery
from xinqiao.core.models import Delivery, DeliveryChannel, Notification
from xinqiao.core.notifications import notify
from xinqiao.core.tasks import send_due_deliveries

XINQIAO = Path(sys.executable).with_name("xinqiao")
NOTICES = 30
LEASE_SECONDS = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_until(condition, *, seconds: float, what: str, processes=()) -> None:
    """Poll ``condition`` up to ``seconds``; fail with ``what`` (and the processes' logs)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{process.args} stopped while waiting for {what}")
        time.sleep(0.2)
    pytest.fail(f"not within {seconds} s: {what}")


class Deployment:
    """The processes of the district deployment, on the test's database."""

    def __init__(self, tmp_path: Path, site_port: int):
        self.data_dir = tmp_path / "data"
        self.data_dir.mkdir(mode=0o700)
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.huey_name = f"xinqiao-processes-{os.getpid()}"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("XINQIAO_", "PYTEST", "DJANGO_")) and key != "DATABASE_URL"
        }
        self.env.update(
            XINQIAO_PROFILE="dev",
            XINQIAO_DATA_DIR=str(self.data_dir),
            DATABASE_URL=database_url(),
            XINQIAO_SECRET_KEY=settings.SECRET_KEY,
            XINQIAO_KEY_FILE=str(settings.KEY_FILE),
            XINQIAO_AUDIT_KEY_FILE=str(settings.AUDIT_KEY_FILE),
            XINQIAO_HUEY_NAME=self.huey_name,
            XINQIAO_WORKERS="2",
            XINQIAO_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
            XINQIAO_DELIVERY_RETRY_SECONDS="1",
            XINQIAO_DELIVERY_ATTEMPTS="40",
            XINQIAO_SITE_URL=f"http://127.0.0.1:{site_port}",
            NO_PROXY="127.0.0.1",
            PYTHONPATH=os.pathsep.join(sys.path),
        )
        if settings.REDIS_URL:
            self.env["XINQIAO_REDIS_URL"] = settings.REDIS_URL
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        with (self.logs / f"{name}.log").open("ab") as out:
            process = subprocess.Popen(
                [str(XINQIAO), *args], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def queue(self):
        """The workers' task queue, as seen from this (immediate-mode) test process."""
        from huey import RedisHuey, SqliteHuey

        if settings.REDIS_URL:
            return RedisHuey(self.huey_name, url=settings.REDIS_URL)
        previous = os.umask(0o077)  # the data directory stays the owner's (xinqiao serve checks)
        try:
            return SqliteHuey("xinqiao", filename=str(self.data_dir / "tasks.sqlite3"))
        finally:
            os.umask(previous)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if settings.REDIS_URL:
            self.queue().storage.flush_all()

    def log(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.logs.iterdir())


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
        servers = [
            deployment.start(f"serve{i}", "serve", "--port", str(port), "--workers", "1")
            for i, port in enumerate(ports)
        ]
        workers = [deployment.start(f"worker{i}", "worker") for i in range(2)]
        for port in ports:
            wait_until(
                lambda port=port: answers(f"http://127.0.0.1:{port}/healthz"),
                seconds=90,
                what=f"xinqiao serve on {port}",
                processes=servers,
            )
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

        workers[0].send_signal(signal.SIGKILL)  # mid-flight: deliveries claimed and pending
        workers[0].wait(timeout=30)
        deployment.processes.remove(workers[0])
        workers[0] = deployment.start("worker0-again", "worker")
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


def answers(url: str) -> bool:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2):
            return True
    except OSError:
        return False


def fetch(url: str, *, post: bool = False) -> tuple[str, int]:
    """GET the page (its CSRF cookie and token), then POST its form when asked."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    with opener.open(url, timeout=10) as response:
        page = response.read().decode()
    if not post:
        return page, 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})  # noqa: S310
    with opener.open(request, timeout=10) as response:
        return response.read().decode(), response.status
