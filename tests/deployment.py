"""The district deployment as separate processes for the multi-process tests: two `xinqiao
serve` and two `xinqiao worker` on the test's database and a task queue of their own (Redis when
the run has it, a SQLite file otherwise), and bounded polls to wait on them (never sleeps that
assert). Everything on 127.0.0.1.
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
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

XINQIAO = Path(sys.executable).with_name("xinqiao")
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

    def start_district(self, ports: list[int]) -> tuple[list, list]:
        """A `xinqiao serve` on each port and two `xinqiao worker`, once the servers answer."""
        servers = [
            self.start(f"serve{i}", "serve", "--port", str(port), "--workers", "1")
            for i, port in enumerate(ports)
        ]
        workers = [self.start(f"worker{i}", "worker") for i in range(2)]
        for port in ports:
            wait_until(
                lambda port=port: answers(f"http://127.0.0.1:{port}/healthz"),
                seconds=90,
                what=f"xinqiao serve on {port}",
                processes=servers,
            )
        return servers, workers

    def kill_and_restart(self, workers: list, index: int) -> None:
        """SIGKILL ``workers[index]`` (mid-flight: no clean shut-down) and start it again."""
        workers[index].send_signal(signal.SIGKILL)
        workers[index].wait(timeout=30)
        self.processes.remove(workers[index])
        workers[index] = self.start(f"worker{index}-again", "worker")

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
