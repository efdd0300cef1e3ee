"""Load-test Xinqiao against two baselines and write docs/benchmarks.md (``make bench``).

What it does, all on 127.0.0.1 and in about ten minutes (and ten more for the backups, most
of it building the larger school, and ten for the alerts):

1. serves tests/bench/bare_app.py (one view, no middleware) with gunicorn, configured like
   ``xinqiao serve``, and measures GET / on it: the bare baseline;
2. for SQLite, then for PostgreSQL when it answers on 127.0.0.1:5432 (user postgres, trust
   auth; a throwaway database ``xinqiao_bench``): ``xinqiao init --no-admin`` and ``xinqiao
   demo`` in a temporary data directory; serves tests/bench/signed_in_app.py (Xinqiao's settings
   and middleware, one query, a small template) with Xinqiao's own server and measures it
   signed in as ``principal``: the signed-in baseline; then ``xinqiao serve`` on the same data,
   and measures GET /healthz, the staff home page, the student list and the network page signed
   in as ``principal``, a case page signed in as ``director``, and the student file (一人一档)
   of a student with 10 cases and 200 records (added to the demo by
   tests/bench/student_file_bench.py) signed in as ``director``, by one user (the time one
   reader waits: issue 6 wants under 200 ms) and by XINQIAO_BENCH_USERS users at once;
3. times ``xinqiao backup`` and ``xinqiao restore`` of the demo school and of one ten times
   larger, on SQLite and on PostgreSQL, beside a plain copy of the database's files
   (tests/bench/backup_bench.py);
4. raises 1,000 crisis alerts through the API with the task queue's workers running, on
   SQLite with one worker and on PostgreSQL + Redis with two (tests/bench/alert_bench.py):
   time to the inbox, escalation after its deadline, notices lost or sent twice;
4b. 3,000 students answer a 20-item questionnaire, saving as they go and submitting, on SQLite
   and on PostgreSQL, beside a bare insert view (tests/bench/screening_bench.py): submissions
   per second, latencies, submissions lost or duplicated;
5. writes the figures to docs/benchmarks.md, replacing what was there: each page's ratio to
   the bare view and to the signed-in baseline of the same database, each backup's and
   restore's ratio to the plain copy, the alerts' figures.

Each measurement is a separate ``locust --headless`` process (tests/bench/locustfile.py).
Every process started here is stopped at the end, and the temporary directory and the bench
database are removed, whatever happens. Exit status 1 when a stage could not run.

Knobs (environment): XINQIAO_BENCH_USERS (default 20), XINQIAO_BENCH_SECONDS (default 20).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
DOC = ROOT / "docs" / "benchmarks.md"

USERS = int(os.environ.get("XINQIAO_BENCH_USERS", "20"))
SECONDS = int(os.environ.get("XINQIAO_BENCH_SECONDS", "20"))
# What `xinqiao serve` uses by default (src/xinqiao/cli.py); the bare baseline gets the same.
WORKERS, THREADS, TIMEOUT = 3, 4, 60
ACCESS_LOG_FORMAT = '{"access":"%(m)s %(U)s","status":%(s)s,"bytes":"%(B)s","ms":%(M)s}'

PG_HOST, PG_PORT, PG_DATABASE = "127.0.0.1", 5432, "xinqiao_bench"
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
PG_BENCH_URL = f"postgres://postgres@{PG_HOST}:{PG_PORT}/{PG_DATABASE}"


@dataclass(frozen=True)
class Scenario:
    user_class: str  # of tests/bench/locustfile.py
    label: str  # the row's first cell in docs/benchmarks.md
    path: str = ""  # what SignedInUser asks for ("": found at run time)
    username: str = ""  # SignedInUser: the demo account whose session it shares
    expect: str = ""  # SignedInUser: what the page must hold


SCENARIOS = {
    "bare": Scenario("BareUser", "GET / on the bare Django view"),
    "signed_in": Scenario(
        "SignedInUser",
        "GET /bench/signed-in/ as `principal` (signed-in baseline)",
        "/bench/signed-in/",
        "principal",
        " unread</p>",
    ),
    "healthz": Scenario("HealthzUser", "GET /healthz"),
    "home": Scenario(
        "SignedInUser",
        "GET / signed in as `principal` (staff home page)",
        "/",
        "principal",
        'data-testid="role-cards"',
    ),
    "students": Scenario(
        "SignedInUser",
        "GET /students/ as `principal` (student list)",
        "/students/",
        "principal",
        'data-testid="student-list"',
    ),
    "network": Scenario(
        "SignedInUser",
        "GET /network/ as `principal` (network page)",
        "/network/",
        "principal",
        'data-testid="network-summary"',
    ),
    "case": Scenario(
        "SignedInUser",
        "GET /cases/<pk>/ as `director` (case page)",
        username="director",
        expect='data-testid="case-summary"',
    ),
    "student_file": Scenario(
        "SignedInUser",
        "Student file, 10 cases and 200 records, as `director`: 1 user",
        username="director",
        expect='data-testid="print-file"',
    ),
    "student_file_load": Scenario(
        "SignedInUser",
        f"Student file, 10 cases and 200 records, as `director`: {USERS} users",
        username="director",
        expect='data-testid="print-file"',
    ),
}
XINQIAO_SCENARIOS = (
    "healthz",
    "home",
    "students",
    "network",
    "case",
    "student_file",
    "student_file_load",
)
# The case page: the demo's active case with the most session records (the lowest number first).
CASE_PAGE_SCRIPT = (
    "import json; from django.db.models import Count; from django.urls import reverse;"
    "from xinqiao.cases.models import Case;"
    "case = Case.objects.filter(state='active').annotate(n=Count('records'))"
    ".order_by('-n', 'pk').first();"
    "print(json.dumps({'path': reverse('cases:case_detail', args=[case.pk]),"
    " 'number': case.number, 'records': case.n, 'counselors': case.counselors.count()}))"
)
# Users of a scenario, when not XINQIAO_BENCH_USERS.
SCENARIO_USERS = {"student_file": 1}
# Issue 6: "the student file of a student with 10 cases and 200 records opens in under 200 ms".
STUDENT_FILE_TARGET_MS = 200
# Lines of a server's output that deserve a look; gunicorn's [INFO] lines and 2xx/3xx are fine.
SUSPICIOUS = re.compile(
    r"Traceback|\[(WARNING|ERROR|CRITICAL)\]|WORKER TIMEOUT|\"level\": \"(WARNING|ERROR|CRITICAL)\""
)
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that would change what is measured."""
    dropped = ("XINQIAO_", "LOCUST_", "DJANGO_")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(dropped) and key not in {"DATABASE_URL", "PYTHONPATH"}
    }
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", **extra)
    return env


# --- Processes --------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    stdout: Path
    stderr: Path
    files: list = field(default_factory=list)


class Processes:
    """Every long-running process started here; each in its own process group."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.servers: list[Server] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Server:
        stdout, stderr = self.log_dir / f"{name}.out.log", self.log_dir / f"{name}.err.log"
        out, err = stdout.open("wb"), stderr.open("wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )
        server = Server(name, process, stdout, stderr, [out, err])
        self.servers.append(server)
        return server

    def stop(self, server: Server) -> None:
        """SIGTERM (gunicorn stops its workers gracefully), then SIGKILL to the whole group."""
        process = server.process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log(f"{server.name} did not stop within 20 s: killing it")
        _kill_group(process.pid)  # stray workers, if the master went first
        if process.poll() is None:
            process.wait(timeout=10)
        for handle in server.files:
            handle.close()
        if server in self.servers:
            self.servers.remove(server)

    def stop_all(self) -> None:
        for server in list(self.servers):
            try:
                self.stop(server)
            except Exception as error:
                log(f"could not stop {server.name} (pid {server.process.pid}): {error!r}")


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def worker_count(pid: int) -> int | None:
    """How many children (gunicorn workers) the server's master process has."""
    try:
        return len((Path("/proc") / str(pid) / "task" / str(pid) / "children").read_text().split())
    except OSError:
        return None


def wait_until_up(server: Server, url: str, tries: int = 150, delay: float = 0.2) -> None:
    """Poll ``url`` until it answers 200; at most ``tries`` times."""
    for _ in range(tries):
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with {server.process.returncode}:\n{tail(server.stderr)}"
            )
        try:
            with OPENER.open(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(delay)
    raise RuntimeError(f"{url} did not answer 200 after {tries} tries:\n{tail(server.stderr)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run(command: list[str], env: dict[str, str], timeout: int = 180) -> str:
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


# --- Servers' output --------------------------------------------------------------------------


def scan_server_logs(server: Server) -> dict:
    """Status codes from the access log, and any line that looks like trouble."""
    statuses: Counter[str] = Counter()
    suspicious: list[str] = []
    for path in (server.stdout, server.stderr):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith('{"access"'):
                try:
                    statuses[str(json.loads(line)["status"])] += 1
                except (ValueError, KeyError):
                    suspicious.append(line)
                continue
            if SUSPICIOUS.search(line):
                suspicious.append(line)
    return {"statuses": dict(sorted(statuses.items())), "suspicious": suspicious}


# --- Locust -----------------------------------------------------------------------------------


def run_locust(scenario: str, port: int, out_dir: Path, env: dict | None = None) -> dict:
    user_class = SCENARIOS[scenario].user_class
    users = SCENARIO_USERS.get(scenario, USERS)
    prefix = out_dir / f"locust-{scenario}"
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{SECONDS}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "5",
        user_class,
    ]
    log(f"locust {user_class}: {users} users for {SECONDS} s on port {port}")
    output = out_dir / f"locust-{scenario}.log"
    with output.open("wb") as handle:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=clean_env(**(env or {})),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=SECONDS + 60)
        except subprocess.TimeoutExpired:
            log("locust overran its time: killing it")
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    _kill_group(process.pid)
                    process.wait(timeout=10)
    text = output.read_text(errors="replace")
    result = parse_stats(Path(f"{prefix}_stats.csv"))
    result["errors"] = parse_failures(Path(f"{prefix}_failures.csv"))
    result["exit_code"] = process.returncode
    result["users"] = users
    result["cpu_warning"] = "CPU usage above" in text or "CPU usage was too high" in text
    result["locust_tail"] = tail(output, 30)
    log(
        f"  {result['rps']:.1f} req/s, p50 {result['p50']} ms, p95 {result['p95']} ms, "
        f"p99 {result['p99']} ms, {result['failures']} failures of {result['requests']}"
    )
    return result


def parse_stats(path: Path) -> dict:
    if not path.exists():
        raise RuntimeError(f"locust wrote no {path.name}")
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                return {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50": _ms(row["50%"]),
                    "p95": _ms(row["95%"]),
                    "p99": _ms(row["99%"]),
                }
    raise RuntimeError(f"no Aggregated row in {path.name}")


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def parse_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [
            f"{row['Method']} {row['Name']}: {row['Error']} ({row['Occurrences']}×)"
            for row in csv.DictReader(handle)
        ]


# --- Stages -----------------------------------------------------------------------------------


def gunicorn_command(port: int, application: str) -> list[str]:
    """gunicorn with the flags ``xinqiao serve`` uses, serving ``module:callable``."""
    return [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--timeout",
        str(TIMEOUT),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        application,
    ]


def bench_bare(processes: Processes, work: Path) -> dict:
    port = free_port()
    command = gunicorn_command(port, "bare_app:application")
    server = processes.start("bare", command, clean_env(PYTHONPATH=str(HERE)))
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}/")
        result = run_locust("bare", port, work)
        workers = worker_count(server.process.pid)
    finally:
        processes.stop(server)
    return {"results": {"bare": result}, "logs": scan_server_logs(server), "workers": workers}


def run_signed_in(scenarios: dict[str, str], port: int, out_dir: Path) -> dict:
    """Each scenario (name: path) in one session per demo account, signed in once beforehand."""
    from student_file_bench import demo_session

    cookies = {}
    results = {}
    for scenario, path in scenarios.items():
        username = SCENARIOS[scenario].username
        if username and username not in cookies:
            session = demo_session(f"http://127.0.0.1:{port}", username)
            cookies[username] = "; ".join(f"{k}={v}" for k, v in session.items())
        locust_env = {
            "XINQIAO_BENCH_PATH": path,
            "XINQIAO_BENCH_EXPECT": SCENARIOS[scenario].expect,
            "XINQIAO_BENCH_COOKIE": cookies.get(username, ""),
        }
        results[scenario] = run_locust(scenario, port, out_dir, locust_env)
    return results


def bench_signed_in(processes: Processes, work: Path, label: str, env: dict) -> dict:
    """The signed-in baseline (signed_in_app.py) on the stage's data, served as Xinqiao is."""
    port = free_port()
    serve = f"import signed_in_app; signed_in_app.serve({port}, {WORKERS}, {THREADS})"
    command = [str(BIN / "python"), "-c", serve]
    server = processes.start(
        f"signed-in-{label.lower()}", command, {**env, "PYTHONPATH": str(HERE)}
    )
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}/healthz")
        result = run_signed_in({"signed_in": SCENARIOS["signed_in"].path}, port, work)["signed_in"]
        workers = worker_count(server.process.pid)
    finally:
        processes.stop(server)
    return {"result": result, "logs": scan_server_logs(server), "workers": workers}


def bench_xinqiao(
    processes: Processes,
    work: Path,
    label: str,
    extra_env: dict,
    scenarios: tuple[str, ...] = XINQIAO_SCENARIOS,
    signed_in: bool = True,
) -> dict:
    data_dir = work / label.lower()
    data_dir.mkdir()
    # Locust's figures beside the data directory, not in it: `xinqiao serve` refuses a data
    # directory holding files others may read (issue 12 item 13).
    results_dir = work / f"{label.lower()}-locust"
    results_dir.mkdir()
    env = clean_env(XINQIAO_DATA_DIR=str(data_dir), XINQIAO_PROFILE="dev", **extra_env)
    log(f"{label}: xinqiao init --no-admin, xinqiao demo")
    run([str(BIN / "xinqiao"), "init", "--no-admin"], env)
    run([str(BIN / "xinqiao"), "demo"], env)
    paths = {name: SCENARIOS[name].path for name in scenarios}
    case_page = None
    if "case" in scenarios:
        output = run([str(BIN / "xinqiao"), "manage", "shell", "-c", CASE_PAGE_SCRIPT], env)
        case_page = json.loads(output.strip().splitlines()[-1])
        paths["case"] = case_page["path"]
    student_file = None
    if {"student_file", "student_file_load"} & set(scenarios):
        log(f"{label}: a student with 10 cases and 200 records (student_file_bench.py setup)")
        output = run([str(BIN / "python"), str(HERE / "student_file_bench.py"), "setup"], env)
        student_file = json.loads(output.strip().splitlines()[-1])
        paths["student_file"] = paths["student_file_load"] = student_file["path"]
    results = {}
    baseline = None
    if signed_in:
        log(f"{label}: the signed-in baseline (signed_in_app.py)")
        baseline = bench_signed_in(processes, results_dir, label, env)
        results["signed_in"] = baseline["result"]
    port = free_port()
    command = [str(BIN / "xinqiao"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = processes.start(f"xinqiao-{label.lower()}", command, env)
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}/healthz")
        results.update(run_signed_in(paths, port, results_dir))
        workers = worker_count(server.process.pid)
    finally:
        processes.stop(server)
    return {
        "results": results,
        "logs": scan_server_logs(server),
        "baseline_logs": baseline and baseline["logs"],
        "workers": workers,
        "student_file": student_file,
        "case_page": case_page,
    }


def pg_recreate(drop_only: bool = False) -> str:
    """Drop ``xinqiao_bench`` (and create it afresh unless drop_only); the server's version."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        if not drop_only:
            connection.execute(f"CREATE DATABASE {PG_DATABASE}")
        return connection.execute("SHOW server_version").fetchone()[0]


# --- Machine and report -----------------------------------------------------------------------


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Share of CPU time spent busy (all CPUs) over ``seconds``, from /proc/stat."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total_0, idle_0 = sample()
        time.sleep(seconds)
        total_1, idle_1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total_1 - total_0
    return None if total <= 0 else 100 * (1 - (idle_1 - idle_0) / total)


def machine() -> dict:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    versions = run(
        [
            str(BIN / "python"),
            "-c",
            "import json, platform, sqlite3; from importlib.metadata import version as v;"
            "print(json.dumps({'python': platform.python_version(), 'sqlite': "
            "sqlite3.sqlite_version, **{n: v(n) for n in ('django', 'gunicorn', 'locust')}}))",
        ],
        clean_env(),
    )
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory": memory,
        "kernel": f"{platform.system()} {platform.release()}",
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        "busy": cpu_busy(),
        **json.loads(versions),
    }


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def table(results: dict, bare_rps: float | None, signed_in_rps: float | None = None) -> list[str]:
    """One row per scenario; the last column only when a signed-in baseline is given."""
    header = "| Scenario | requests | req/s | p50 ms | p95 ms | p99 ms | failures | ratio to bare Django |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if signed_in_rps is not None:
        header, rule = header + " ratio to signed-in baseline |", rule + "---:|"
    lines = [header, rule]
    for scenario, result in results.items():
        # A throughput ratio compares runs with the same number of users only.
        same_load = result.get("users", USERS) == USERS

        def ratio(baseline: float | None) -> str:
            return f"{result['rps'] / baseline:.2f}" if baseline and same_load else "–"  # noqa: B023

        row = (
            f"| {SCENARIOS[scenario].label} | {result['requests']} | {result['rps']:.1f} | "
            f"{_num(result['p50'])} | {_num(result['p95'])} | {_num(result['p99'])} | "
            f"{result['failures']} | {ratio(bare_rps)} |"
        )
        lines.append(row + (f" {ratio(signed_in_rps)} |" if signed_in_rps is not None else ""))
    return lines


def signed_in_rps_of(stage: dict) -> float | None:
    result = stage.get("results", {}).get("signed_in")
    return result["rps"] if result else None


def log_notes(logs: dict, server: str) -> list[str]:
    statuses = ", ".join(f"{code}: {count}" for code, count in logs["statuses"].items())
    notes = [f"- {server} access log, responses by status: {statuses or 'none'}."]
    if logs["suspicious"]:
        notes.append(
            f"- {len(logs['suspicious'])} warning/error line(s) in the {server.lower()}'s output;"
            " first:"
        )
        notes.extend(f"  `{line[:200]}`" for line in logs["suspicious"][:5])
    else:
        notes.append(f"- No warnings, errors or tracebacks in the {server.lower()}'s output.")
    return notes


def notes_for(stage: dict) -> list[str]:
    notes = []
    for scenario, result in stage.get("results", {}).items():
        for error in result["errors"]:
            notes.append(f"- {scenario} ({SCENARIOS[scenario].user_class}) failure: {error}")
        if result["cpu_warning"]:
            notes.append(
                f"- locust warned that its own CPU use was high during {scenario}:"
                " the load generator may have limited the figure."
            )
    if stage.get("baseline_logs"):
        notes += log_notes(stage["baseline_logs"], "Signed-in baseline server")
    if stage.get("logs"):
        notes += log_notes(stage["logs"], "Server")
    if stage.get("workers") not in (None, WORKERS):
        notes.append(f"- The server had {stage['workers']} workers at the end, not {WORKERS}.")
    case_page = stage.get("case_page")
    if case_page:
        notes.append(
            f"- Case page: {case_page['path']}, case {case_page['number']} (active,"
            f" {case_page['records']} session records, {case_page['counselors']} counselor(s)),"
            " the demo's active case with the most records; each request writes its line to the"
            " access log."
        )
    student_file = stage.get("student_file")
    single = stage.get("results", {}).get("student_file")
    if student_file and single and single["p95"] is not None:

        def verdict(figure: str) -> str:
            met = single[figure] is not None and single[figure] < STUDENT_FILE_TARGET_MS
            return (
                f"{figure} of one user {_num(single[figure])} ms, {'met' if met else '**not met**'}"
            )

        notes.append(
            f"- Student file: {student_file['cases']} cases and {student_file['records']}"
            f" session records ({student_file['path']}); target under {STUDENT_FILE_TARGET_MS}"
            f" ms (issue 6): {verdict('p50')}; {verdict('p95')}."
        )
    if stage.get("error"):
        notes.append(f"- **This stage failed:** {stage['error'].splitlines()[0]}")
    return notes


def write_report(info: dict, stages: dict, started: datetime, elapsed: float) -> None:
    bare = stages.get("bare", {}).get("results", {}).get("bare")
    bare_rps = bare["rps"] if bare else None
    lines = [
        "# Benchmarks",
        "",
        "Throughput and latency of Xinqiao under `xinqiao serve`, next to two baselines served",
        "the same way (a bare Django view, and a signed-in bare view on the same database),",
        "measured in one run on one machine. Reproduce with `make bench`",
        "(`tests/bench/run_bench.py`): it builds a throwaway demo school on SQLite (and on",
        "PostgreSQL when it answers on 127.0.0.1:5432), drives each server with locust from a",
        "separate process and rewrites this file. Figures depend on the machine and on whatever",
        "else it was doing; compare rows of one run rather than runs of different machines, and",
        "prefer the ratios: both baselines are measured in the same run, under the same load.",
        "",
        f"- Date: {started.strftime('%Y-%m-%d %H:%M %Z')} (the run took {elapsed:.0f} s)",
        f"- Machine: {info['nproc']} CPU (`nproc`), {info['cpu']}, {info['memory']} RAM,"
        f" {info['kernel']}; before the run: CPUs {_num(info['busy'])} % busy over 1 s,"
        f" load average {info['load']}",
        f"- Software: Python {info['python']}, Django {info['django']},"
        f" gunicorn {info['gunicorn']}, locust {info['locust']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgres']}" if info.get("postgres") else ""),
        f"- Server: `xinqiao serve --host 127.0.0.1 --port P` as shipped: gunicorn, worker class"
        f" gthread, {WORKERS} workers × {THREADS} threads, timeout {TIMEOUT} s, access log on"
        " stdout; `XINQIAO_PROFILE=dev` (DEBUG off), persistent database connections (60 s),"
        " task queue on SQLite (huey); the garbage collector as `xinqiao serve` sets it"
        " (src/xinqiao/core/web_server.py: what is loaded is frozen before the fork and after"
        " a worker's first requests, and a collection runs after a response is sent rather than"
        " inside a request).",
        f"- Load: locust `--headless -u {USERS} -r {USERS} -t {SECONDS}s` (FastHttpUser, no wait"
        f" between requests: {USERS} requests always in flight), one locust process per"
        " scenario on the same machine, so the load generator shares the CPUs with the server.",
        "  Figures are locust's `Aggregated` row of `*_stats.csv` (locust rewrites that file"
        " every second, so it can miss the last second of a run). Signed-in pages are read in"
        " one session per demo account (`principal`: the signed-in baseline, the staff home"
        " page, the student list, the network page; `director`, with the second factor: the"
        " case page and the student file), signed in once through the sign-in form before the"
        " runs and shared by every locust user, so that no password check (Argon2, slow on"
        " purpose) falls inside the measured time.",
        "- Student file (一人一档, issue 6): `tests/bench/student_file_bench.py setup` adds to the"
        " demo one student followed for a long time, with 10 cases and 200 session records and"
        " their assessments, plans, summaries and evaluations, made by the demo's own builder"
        " through the services. Each request reads the whole file and writes its line to the"
        " access log, as any reader's would. The one-user row is the time one reader waits (the"
        f" target: under {STUDENT_FILE_TARGET_MS} ms); the {USERS}-user row is the same page at"
        " saturation.",
        "",
        "## Baseline: a bare Django view",
        "",
        "`tests/bench/bare_app.py` is Django with settings made in code, no middleware, no"
        ' installed apps and no database, and one view that returns `HttpResponse("ok")`,'
        " served by gunicorn with exactly the flags `xinqiao serve` uses. It is the practical"
        " limit of Django + gunicorn on this machine: no Xinqiao page can be faster, so the"
        " column `ratio to bare Django` says what share of that ceiling each Xinqiao page"
        " reaches.",
        "",
        "The second baseline, measured in each database's section, is a **signed-in bare view**"
        " (`tests/bench/signed_in_app.py`): Xinqiao's own settings and its whole `MIDDLEWARE`"
        " (session, CSRF, authentication with the user's roles, two-factor, idle timeout,"
        " sign-in steps, change history, lockout), one query (the user's unread notifications)"
        " and a five-line template with a CSRF token; no navigation and no permission check. It is"
        " served by Xinqiao's own server (`xinqiao serve`'s gunicorn flags, start-up and garbage"
        " collector policy), on the same data as the Xinqiao server of that section, just before"
        " it, and read signed in as `principal` like the staff pages. It is the least any staff page can cost: the column `ratio to signed-in"
        " baseline` says what share of it each page reaches (issue 11's target: the staff home"
        " page and the case page at least 0.30).",
        "",
    ]
    if "bare" in stages:
        if bare:
            lines += table({"bare": bare}, bare_rps)
        lines += ["", *notes_for(stages["bare"]), ""]
    for label in ("SQLite", "PostgreSQL"):
        if label not in stages:
            continue
        stage = stages[label]
        lines += [f"## {label}", ""]
        if stage.get("results"):
            lines += [*table(stage["results"], bare_rps, signed_in_rps_of(stage) or 0.0), ""]
        lines += [*notes_for(stage), ""]
    if "PostgreSQL" not in stages:
        lines += [
            "## PostgreSQL",
            "",
            f"Not measured: nothing answered on {PG_HOST}:{PG_PORT} during this run.",
            "",
        ]
    if "backup" in stages:
        from backup_bench import section

        lines += section(stages["backup"])
    if "alerts" in stages:
        from alert_bench import section as alerts_section

        lines += ["", *alerts_section(stages["alerts"])]
    if "screening" in stages:
        from screening_bench import section as screening_section

        lines += ["", *screening_section(stages["screening"])]
    DOC.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


# --- Main -------------------------------------------------------------------------------------


def main(
    only: tuple[str, ...] | None = None, write: bool = True, signed_in: bool | None = None
) -> int:
    """Every stage, or only the Xinqiao scenarios named in ``only`` (the bare baseline is
    skipped, and the signed-in one unless ``signed_in``); ``write=False`` prints the figures and
    leaves docs/benchmarks.md alone."""
    signed_in = only is None if signed_in is None else signed_in
    started = datetime.now().astimezone()
    clock = time.monotonic()
    info = machine()
    log(f"{info['nproc']} CPU, {info['cpu']}; {_num(info['busy'])} % busy, load {info['load']}")
    work = Path(tempfile.mkdtemp(prefix="xinqiao-bench-"))
    processes = Processes(work)
    stages: dict[str, dict] = {}
    pg_created = False
    failed = False

    def stage(name: str, function, *args) -> None:
        nonlocal failed
        try:
            stages[name] = function(*args)
        except Exception as error:
            failed = True
            log(f"{name} failed: {error}")
            stages[name] = {"error": str(error) or repr(error)}

    try:
        scenarios = only or XINQIAO_SCENARIOS
        if only is None:
            log("bare Django view (baseline)")
            stage("bare", bench_bare, processes, work)
        stage("SQLite", bench_xinqiao, processes, work, "SQLite", {}, scenarios, signed_in)
        if answers(PG_HOST, PG_PORT):
            try:
                info["postgres"] = pg_recreate()
                pg_created = True
            except Exception as error:
                failed = True
                stages["PostgreSQL"] = {"error": f"could not create {PG_DATABASE}: {error}"}
            if pg_created:
                env = {"DATABASE_URL": PG_BENCH_URL}
                stage(
                    "PostgreSQL",
                    bench_xinqiao,
                    processes,
                    work,
                    "PostgreSQL",
                    env,
                    scenarios,
                    signed_in,
                )
        else:
            log(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}: skipped")
        if only is None:
            from backup_bench import bench as bench_backup

            stages["backup"] = bench_backup(work)
            failed = failed or bool(stages["backup"]["errors"])
            from alert_bench import bench as bench_alerts

            stages["alerts"] = bench_alerts(work)
            failed = failed or bool(stages["alerts"]["errors"])
            from screening_bench import bench as bench_screening

            stages["screening"] = bench_screening(work)
            failed = failed or bool(stages["screening"]["errors"])
    finally:
        processes.stop_all()
        if pg_created:
            try:
                pg_recreate(drop_only=True)
            except Exception as error:
                log(f"could not drop {PG_DATABASE}: {error}")
        shutil.rmtree(work, ignore_errors=True)

    if write:
        write_report(info, stages, started, time.monotonic() - clock)
        log(f"wrote {DOC.relative_to(ROOT)} in {time.monotonic() - clock:.0f} s")
    else:
        for name, stage_result in stages.items():
            print(f"## {name}")
            results = stage_result.get("results", {})
            print("\n".join(table(results, None, signed_in_rps_of(stage_result) or 0.0)))
    for name, stage_result in stages.items():
        for line in notes_for(stage_result):
            print(f"  {name}: {line.lstrip('- ')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
