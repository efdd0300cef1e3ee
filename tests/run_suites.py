"""Run the whole suite on SQLite, then again on PostgreSQL with the task queue on Redis.

PostgreSQL and Redis are used when XINQIAO_TEST_DATABASE_URL / XINQIAO_TEST_REDIS_URL are set
(then they are required: unreachable means failure) or when they answer on their usual local
ports. The last lines say plainly which backends ran.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xinqiao"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port), timeout=2):
            return True
    except OSError:
        return False


def run_suite(label: str, extra_env: dict[str, str], pytest_args: list[str]) -> dict:
    print(f"\n=== Test suite on {label} ===", flush=True)
    with tempfile.TemporaryDirectory(prefix="xinqiao-test-") as data_dir:
        junit = Path(data_dir) / "junit.xml"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "XINQIAO_REDIS_URL", "XINQIAO_PROFILE"}
        }
        env.update(
            XINQIAO_DATA_DIR=data_dir,
            XINQIAO_HUEY_NAME=f"xinqiao-test-{os.getpid()}",
            DJANGO_ALLOW_ASYNC_UNSAFE="true",  # Playwright's sync API beside the live server
            PYTHONPATH=str(ROOT),
            **extra_env,
        )
        command = [sys.executable, "-m", "pytest", f"--junitxml={junit}", *pytest_args]
        code = subprocess.call(command, cwd=ROOT, env=env)
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        if junit.exists():
            suite = ET.parse(junit).getroot()
            suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
            total = int(suite.get("tests", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped = int(suite.get("skipped", 0))
            counts = {"passed": total - failed - skipped, "failed": failed, "skipped": skipped}
    # pytest exits 5 when nothing was collected: that is a failure of the suite, not a pass.
    return {"label": label, "code": code, **counts}


def parallel_args(pytest_args: list[str]) -> list[str]:
    """One test process per core (pytest-xdist), unless the caller chose (-n, -p no:xdist)."""
    chosen = any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in pytest_args)
    if chosen or "no:xdist" in pytest_args:
        return pytest_args
    workers = os.environ.get("XINQIAO_TEST_PROCESSES", "auto")
    return ["-n", workers, *pytest_args]


def main() -> int:
    pytest_args = parallel_args(sys.argv[1:])
    results = [run_suite("SQLite, tasks on SQLite (run immediately)", {}, pytest_args)]

    db_url = os.environ.get("XINQIAO_TEST_DATABASE_URL")
    redis_url = os.environ.get("XINQIAO_TEST_REDIS_URL")
    required = bool(db_url or redis_url)
    db_url, redis_url = db_url or DEFAULT_DATABASE_URL, redis_url or DEFAULT_REDIS_URL
    missing = [
        name for name, url in (("PostgreSQL", db_url), ("Redis", redis_url)) if not answers(url)
    ]
    skipped_backends = None
    if missing and required:
        print(f"\nFAILED: {', '.join(missing)} configured but not reachable.", flush=True)
        results.append({"label": "PostgreSQL + Redis", "code": 1, "passed": 0, "failed": 1})
    elif missing:
        skipped_backends = f"PostgreSQL + Redis not run: {', '.join(missing)} not answering"
    else:
        results.append(
            run_suite(
                "PostgreSQL, tasks on Redis",
                {"DATABASE_URL": db_url, "XINQIAO_REDIS_URL": redis_url},
                pytest_args,
            )
        )

    print("\n=== Backends ===")
    for result in results:
        verdict = "ok" if result["code"] == 0 else f"FAILED (exit {result['code']})"
        print(
            f"{result['label']}: {verdict}; {result['passed']} passed, "
            f"{result['failed']} failed, {result.get('skipped', 0)} skipped"
        )
    if skipped_backends:
        print(skipped_backends)
    passed = sum(r["passed"] for r in results)
    failed = sum(r["failed"] for r in results)
    print(f"total: {passed} passed, {failed} failed", flush=True)
    return 0 if all(r["code"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
