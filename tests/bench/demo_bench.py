"""Time `xinqiao demo` (the demo school of ~1,200 students) on SQLite, and on PostgreSQL.

    .venv/bin/python tests/bench/demo_bench.py [runs]

Each run is a fresh data directory (and, for PostgreSQL when it answers on 127.0.0.1:5432 with
trust auth, a fresh database ``xinqiao_demo_bench``): ``xinqiao init --no-admin`` first, then
``xinqiao demo`` is timed as a whole command, start-up of Python and Django included. Prints
the fastest and the median run and what the demo holds. Everything it made is removed at the end.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XINQIAO = ROOT / ".venv" / "bin" / "xinqiao"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/xinqiao_demo_bench"
COUNT_SCRIPT = (
    "from xinqiao.people.models import Student, Guardian, Staff, RoleAssignment, Dormitory;"
    "print(f'{Student.objects.count()} students, {Guardian.objects.count()} guardians, '"
    "f'{Staff.objects.count()} staff, {Dormitory.objects.count()} dormitories, '"
    "f'{RoleAssignment.objects.count()} roles and posts')"
)


def env_for(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "XINQIAO_PROFILE"}}
    env.update(XINQIAO_DATA_DIR=data_dir, XINQIAO_DEMO_MODE="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def pg_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


def pg_recreate(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS xinqiao_demo_bench WITH (FORCE)")
        if not drop_only:
            conn.execute("CREATE DATABASE xinqiao_demo_bench")


def one_run(database_url: str | None, *, show_counts: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="xinqiao-demo-bench-") as data_dir:
        if database_url:
            pg_recreate()
        env = env_for(data_dir, database_url)
        subprocess.run([XINQIAO, "init", "--no-admin"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run([XINQIAO, "demo"], env=env, check=True, capture_output=True)
        elapsed = time.perf_counter() - started
        if show_counts:
            counts = subprocess.run(
                [XINQIAO, "manage", "shell", "-c", COUNT_SCRIPT],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            print(f"  the demo holds: {counts.stdout.strip().splitlines()[-1]}")
    return elapsed


def bench(label: str, database_url: str | None, runs: int) -> None:
    print(f"{label}: {runs} run(s) of `xinqiao demo`")
    times = [one_run(database_url, show_counts=i == 0) for i in range(runs)]
    print(f"  fastest {min(times):.2f} s, median {statistics.median(times):.2f} s")


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    bench("SQLite", None, runs)
    if pg_answers():
        try:
            bench("PostgreSQL", PG_URL, runs)
        finally:
            pg_recreate(drop_only=True)
    else:
        print("PostgreSQL does not answer on 127.0.0.1:5432: skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
