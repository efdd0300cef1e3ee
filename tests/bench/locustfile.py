"""Locust scenarios for run_bench.py; name exactly one user class on the command line.

    .venv/bin/locust -f tests/bench/locustfile.py --headless -u 20 -r 20 -t 20s \
        --host http://127.0.0.1:8000 HealthzUser

* ``HealthzUser``: GET /healthz on Xinqiao (a database query and a task-queue check).
* ``StaffHomeUser``: GET / on Xinqiao, signed in as the demo account ``principal`` (staff, no
  second factor). Each simulated user signs in once, through the sign-in form, before it starts;
  the sign-ins are kept out of the statistics, which start afresh once every user has signed
  in, so that the "Aggregated" row is the home page alone, at steady state. A failed sign-in is
  recorded as a failure named "sign-in" and stops that user.
* ``BareUser``: GET / on tests/bench/bare_app.py (the bare Django baseline).
* ``StudentFileUser``: GET the student file (一人一档) at ``XINQIAO_BENCH_PATH``, in the session
  whose cookies ``XINQIAO_BENCH_COOKIE`` holds ("name=value; name=value"): the demo director,
  signed in once by run_bench.py (tests/bench/student_file_bench.py), with the second factor.
  Every user shares that session; the statistics start when all users have started.

Users do not wait between requests: N users keep N requests in flight (a closed loop), so the
figures are the server's throughput at saturation, not a model of real visitors.
"""

from __future__ import annotations

import os
import time
from http.cookiejar import Cookie
from urllib.parse import urlencode, urlparse

from gevent.event import Event
from locust import constant
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

SIGN_IN_PATH = "/accounts/sign-in/"
CSRF_COOKIE = "xinqiao_csrf"
USERNAME = os.environ.get("XINQIAO_BENCH_USERNAME", "principal")
PASSWORD = os.environ.get("XINQIAO_BENCH_PASSWORD", "xinqiao-demo-2026")
BENCH_PATH = os.environ.get("XINQIAO_BENCH_PATH", "")
BENCH_COOKIE = os.environ.get("XINQIAO_BENCH_COOKIE", "")


_arrived = 0
_everyone_arrived = Event()


def _wait_for_everyone(environment, timeout: float = 60) -> None:
    """Hold each user until all have tried to sign in, then start the clock afresh.

    Twenty Argon2 password checks at once keep the CPUs busy for a second or two; the home
    page's figures should not include that queue, so the statistics start when all are in.
    """
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


class StaffHomeUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        started = time.perf_counter()
        try:
            problem = self._sign_in()
        except Exception as error:  # an unexpected status or a refused connection
            problem = f"{type(error).__name__}: {error}"
        elapsed_ms = (time.perf_counter() - started) * 1000
        _wait_for_everyone(self.environment)
        if problem:
            self.environment.events.request.fire(
                request_type="POST",
                name="sign-in",
                response_time=elapsed_ms,
                response_length=0,
                response=None,
                context={},
                exception=Exception(problem),
            )
            raise StopUser()

    def _sign_in(self) -> str | None:
        """GET the form, POST the log-in with the CSRF token; a problem's text, or None."""
        agent = self.client.client  # the session's own HTTP agent: same cookies, no statistics
        url = self.host + SIGN_IN_PATH
        page = agent.urlopen(url, method="GET")
        page.content  # noqa: B018 (read the body so that the connection is reused)
        if page.status_code != 200:
            return f"GET {SIGN_IN_PATH} answered {page.status_code}"
        token = next((c.value for c in self.client.cookiejar if c.name == CSRF_COOKIE), None)
        if not token:
            return f"no {CSRF_COOKIE} cookie after GET {SIGN_IN_PATH}"
        form = urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token})
        follows = agent.redirect_response_codes
        agent.redirect_response_codes = frozenset()  # look at the redirect itself
        try:
            answer = agent.urlopen(
                url,
                method="POST",
                payload=form,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": url},
            )
        finally:
            agent.redirect_response_codes = follows
        answer.content  # noqa: B018
        location = answer.headers.get("Location") or ""
        if answer.status_code != 302 or SIGN_IN_PATH in location:
            return f"POST {SIGN_IN_PATH} answered {answer.status_code} (Location {location!r})"
        return None

    def home(self):
        with self.client.get(
            "/", name="GET / (staff home)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = (response.headers or {}).get("Location") or ""
                response.failure(f"answered {response.status_code} {where}".strip())

    tasks = [home]


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


class StudentFileUser(FastHttpUser):
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

    def student_file(self):
        with self.client.get(
            BENCH_PATH, name="GET student file", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = (response.headers or {}).get("Location") or ""
                response.failure(f"answered {response.status_code} {where}".strip())
            elif b'data-testid="print-file"' not in (response.content or b""):
                response.failure("not the student file as its director sees it")

    tasks = [student_file]
