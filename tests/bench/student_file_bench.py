"""The student file (一人一档) of a student with 10 cases and 200 records: issue 6 wants it to open
in under 200 ms on the demo data. ``make bench`` measures it (run_bench.py, scenarios
``student_file`` and ``student_file_load``); this file prepares what those scenarios need.

    .venv/bin/python tests/bench/student_file_bench.py setup

runs inside Xinqiao's Django (the environment says which data directory and database: the
caller's ``XINQIAO_DATA_DIR`` and ``DATABASE_URL``), adds to the loaded demo school one student
followed for a long time (``xinqiao.cases.demo.add_long_followed_student``: ten cases, two
hundred session records, with their assessments, plans, summaries and evaluations, built through
the same services as the demo), and prints one JSON line: the file's path and the counts.

Once the server runs, run_bench.py signs the demo director in once (``demo_session``: the
form, then the second factor) and the locust users share that session (locustfile.py
``SignedInUser``): a time-based code can be used only once, so twenty users cannot each sign
in within one 30-second window. The sign-in is not measured.

    .venv/bin/python tests/bench/student_file_bench.py

runs just this part of ``make bench`` (the student-file scenarios on SQLite, and on PostgreSQL
when it answers) and prints the figures, without rewriting docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.cookiejar
import json
import os
import struct
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
USERNAME = "director"
CASES, RECORDS = 10, 200


# --- signing in (stdlib only: this runs outside Django too) -------------------------------------------
def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1), as django-otp's TOTPDevice computes it with its defaults."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def sign_in(base_url: str, username: str, password: str, key_hex: str) -> dict[str, str]:
    """The sign-in form, then the second factor; the cookies of the signed-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )

    def post(path: str, fields: dict) -> str:
        token = next(c.value for c in jar if c.name == "xinqiao_csrf")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(  # noqa: S310 (the local bench server, over http)
            base_url + path, data=data, headers={"Referer": base_url + path}
        )
        with opener.open(request, timeout=30) as response:
            return response.geturl()

    with opener.open(base_url + "/accounts/sign-in/", timeout=30) as response:
        response.read()
    landed = post("/accounts/sign-in/", {"username": username, "password": password})
    if "/accounts/verify/" in landed:
        landed = post("/accounts/verify/", {"code": totp(key_hex)})
    if "/accounts/" in urllib.parse.urlparse(landed).path:
        raise RuntimeError(f"signing in as {username} ended on {landed}")
    return {c.name: c.value for c in jar if c.name in ("xinqiao_session", "xinqiao_csrf")}


# --- setup (inside Django) ------------------------------------------------------------------------------
def setup() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinqiao.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.urls import reverse

    from xinqiao.cases.demo import add_long_followed_student
    from xinqiao.cases.models import SessionRecord

    started = time.monotonic()
    with transaction.atomic():
        student = add_long_followed_student(cases=CASES, records=RECORDS)
    result = {
        "student": student.pk,
        "path": reverse("cases:student_file", args=[student.pk]),
        "cases": student.cases.count(),
        "records": SessionRecord.objects.filter(case__student=student).count(),
        "setup_seconds": round(time.monotonic() - started, 1),
    }
    return result


def demo_session(base_url: str, username: str = USERNAME) -> dict[str, str]:
    """A demo account (the director unless named), signed in on the server at ``base_url``: the
    cookies of its session."""
    from xinqiao.core.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX

    return sign_in(base_url, username, DEMO_PASSWORD, DEMO_TOTP_KEY_HEX)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", choices=["setup", "run"], default="run")
    args = parser.parse_args()
    if args.mode == "setup":
        print(json.dumps(setup()))
        return 0
    sys.path.insert(0, str(HERE))
    import run_bench

    return run_bench.main(only=("student_file", "student_file_load"), write=False)


if __name__ == "__main__":
    sys.exit(main())
