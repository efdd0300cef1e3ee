"""Locust scenarios for run_bench.py; name exactly one user class on the command line.

    .venv/bin/locust -f tests/bench/locustfile.py --headless -u 20 -r 20 -t 20s \
        --host http://127.0.0.1:8000 HealthzUser

* ``HealthzUser``: GET /healthz on Xinqiao (a database query and a task-queue check).
* ``BareUser``: GET / on tests/bench/bare_app.py (the bare Django baseline).
* ``SignedInUser``: GET ``XINQIAO_BENCH_PATH`` (the signed-in baseline, a staff page, the
  student file 一人一档) in the session whose cookies ``XINQIAO_BENCH_COOKIE`` holds
  ("name=value; name=value"): a demo account signed in once by run_bench.py through the
  sign-in form (and the second factor, for the director; tests/bench/student_file_bench.py).
  Every user shares that session, so that no password check (Argon2, slow on purpose) falls
  inside the measured time; the statistics start when all users have started. A page that does
  not answer 200, or does not hold ``XINQIAO_BENCH_EXPECT`` (when given), counts as a failure.

Users do not wait between requests: N users keep N requests in flight (a closed loop), so the
figures are the server's throughput at saturation, not a model of real visitors.
"""

from __future__ import annotations

import os
from http.cookiejar import Cookie
from urllib.parse import urlparse

from gevent.event import Event
from locust import constant
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

BENCH_PATH = os.environ.get("XINQIAO_BENCH_PATH", "")
BENCH_EXPECT = os.environ.get("XINQIAO_BENCH_EXPECT", "").encode()
BENCH_COOKIE = os.environ.get("XINQIAO_BENCH_COOKIE", "")


_arrived = 0
_everyone_arrived = Event()


def _wait_for_everyone(environment, timeout: float = 60) -> None:
    """Hold each user until all have started, then start the clock afresh."""
    global _arrived
    _arrived += 1
    if _arrived >= environment.runner.target_user_count:
        environment.stats.reset_all()
        _everyone_arrived.set()
    else:
        _everyone_arrived.wait(timeout)


class HealthzUser(FastHttpUser):
    wait_time = constant(0)

    def healthz(self):
        self.client.get("/healthz", name="GET /healthz")

    tasks = [healthz]


class BareUser(FastHttpUser):
    wait_time = constant(0)

    def bare(self):
        with self.client.get("/", name="GET / (bare Django)", catch_response=True) as response:
            if response.status_code != 200 or response.content != b"ok":
                response.failure(f"answered {response.status_code} {response.content[:40]!r}")

    tasks = [bare]


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(
        0, name, value, None, False, host, False, False, "/", True, False, None, False, None,
        None, {},
    )  # fmt: skip


class SignedInUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        host = urlparse(self.host).hostname or "127.0.0.1"
        for pair in filter(None, (p.strip() for p in BENCH_COOKIE.split(";"))):
            name, _, value = pair.partition("=")
            self.client.cookiejar.set_cookie(_cookie(name, value, host))
        _wait_for_everyone(self.environment)
        if not BENCH_PATH or not BENCH_COOKIE:
            self.environment.events.request.fire(
                request_type="GET",
                name="setup",
                response_time=0,
                response_length=0,
                response=None,
                context={},
                exception=Exception("XINQIAO_BENCH_PATH and XINQIAO_BENCH_COOKIE are needed"),
            )
            raise StopUser()

    def page(self):
        with self.client.get(
            BENCH_PATH, name=f"GET {BENCH_PATH}", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = (response.headers or {}).get("Location") or ""
                response.failure(f"answered {response.status_code} {where}".strip())
            elif BENCH_EXPECT and BENCH_EXPECT not in (response.content or b""):
                response.failure(f"the page does not hold {BENCH_EXPECT!r}")

    tasks = [page]
