"""Crisis alerts under load (issue 14, Performance): 1,000 alerts of mixed levels raised through
the API of a server started as `xinqiao serve` starts it, with the task queue's workers running
(`xinqiao worker`): how long from the raise until the notice is in the recipient's inbox, how
long after its deadline each escalation step is told, and how many notices were lost or sent
twice. On SQLite with one worker, then on PostgreSQL + Redis with two (when both answer on
127.0.0.1). ``make bench`` runs it (run_bench.py calls ``bench``) and writes the section "Crisis
alerts" of docs/benchmarks.md.

    .venv/bin/python tests/bench/alert_bench.py [--write]

runs just this part and prints the section; ``--write`` also puts it into docs/benchmarks.md in
place of the old one, leaving the rest alone.

How: ``xinqiao init --no-admin`` and ``xinqiao demo`` in a throwaway data directory; the demo
school's 危机 deadline is set to one minute (``setup``, inside Django: the default is ten); the
raiser is the demo's director with an API token. From this process, XINQIAO_BENCH_ALERTS
(default 1,000) alerts, one level in five 危机, two 高危, two 关注, for the demo's students in
turn, are POSTed to /api/crisis/alerts by XINQIAO_BENCH_RAISERS (default 4) threads at once.
A watcher thread reads the director's notifications through the API (GET /api/notifications,
newest first) every 0.2 s: an alert's notice is in the inbox when the watcher first sees it,
and the time to the inbox is that moment minus the moment its POST was sent (an upper bound:
the watcher's own period and request time are included). Then the run waits until one minute
and forty seconds after the last raise, so that every 危机 alert's first escalation is due
(高危 escalates at the end of the school day, 关注 after a week: not within the run), and reads
the outcome from the database (``collect``, inside Django): each escalation step's lateness is
the time it was told minus its deadline (the previous step's time plus one minute); a step due
more than 90 s before the end and not told is lost; a person told twice at one step of one alert
(or two inbox notices for one) is a duplicate; the server and workers are stopped before the
outcome is read. Bounded: every wait has an end, every process
started is stopped, all on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

ALERTS = int(os.environ.get("XINQIAO_BENCH_ALERTS", "1000"))
RAISERS = int(os.environ.get("XINQIAO_BENCH_RAISERS", "4"))
CRISIS_MINUTES = 1
LEVELS = ("crisis", "high", "high", "concern", "concern")  # in turn: one in five 危机
# What the run waits for after the last raise: every 危机 alert's first step is due, and the
# minute's sweep has had its chance at any scheduled task a worker dropped.
SETTLE_SECONDS = CRISIS_MINUTES * 60 + 40
LOST_AFTER_SECONDS = 90  # a due step not told this long after its deadline is lost
WATCH_PERIOD = 0.2
TARGET_INBOX_P99 = 5.0
TARGET_ESCALATION_LATE = 30.0
SECTION = "## Crisis alerts"
REDIS_URL = "redis://127.0.0.1:6379/15"


# --- inside Django --------------------------------------------------------------------------------
def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinqiao.settings")
    import django

    django.setup()


def setup() -> dict:
    """The demo school's 危机 deadline set to one minute, a token for its director, the students
    alerts are raised for, and the last alert already there (the demo has some)."""
    _django()
    from xinqiao.core.models import User
    from xinqiao.core.services import api_token_create
    from xinqiao.crisis.models import Alert, EscalationPolicy
    from xinqiao.people.models import School, Student

    school = School.objects.get(code="demo")
    EscalationPolicy.objects.update_or_create(
        school=school, defaults={"crisis_minutes": CRISIS_MINUTES}
    )
    _token, key = api_token_create(user=User.objects.get(username="director"), name="bench")
    students = list(
        Student.objects.filter(school=school).order_by("pk").values_list("pk", flat=True)[:500]
    )
    last = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {"key": key, "students": students, "last_alert": last}


def collect(after: int) -> dict:
    """What became of the alerts raised by the run (primary keys above ``after``)."""
    _django()
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from xinqiao.core.models import Notification
    from xinqiao.crisis.models import Alert, AlertEscalation, AlertNotice

    now = timezone.now()
    alerts = dict(Alert.objects.filter(pk__gt=after).values_list("pk", "risk_level"))
    notices = list(
        AlertNotice.objects.filter(alert_id__in=alerts).values_list(
            "alert_id", "step", "told_at", "recipient_id", "role"
        )
    )
    told: dict[tuple[int, int], datetime.datetime] = {}
    first_step = set()
    for alert_id, step, at, _recipient, _role in notices:
        told[(alert_id, step)] = min(at, told.get((alert_id, step), at))
        if step == 0:
            first_step.add(alert_id)
    late = []
    for (alert_id, step), at in told.items():
        previous = told.get((alert_id, step - 1))
        if step and previous is not None:
            deadline = previous + datetime.timedelta(minutes=CRISIS_MINUTES)
            late.append((at - deadline).total_seconds())
    lost_steps = AlertEscalation.objects.filter(
        alert_id__in=alerts,
        alert__state=Alert.State.RAISED,
        due_at__lt=now - datetime.timedelta(seconds=LOST_AFTER_SECONDS),
    ).count()
    twice_told = (
        AlertNotice.objects.filter(alert_id__in=alerts)
        .values("alert_id", "step", "recipient_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    # Each staff notice is one inbox entry about its alert; more entries than notices is a
    # notice sent twice, fewer is one lost.
    staff = [n for n in notices if n[4] != AlertNotice.Role.CLASS_TEACHER]
    urls = {reverse("crisis:alert_detail", args=[pk]): pk for pk in alerts}
    inbox = (
        Notification.objects.filter(url__in=urls)
        .values("url", "recipient_id")
        .annotate(n=Count("pk"))
    )
    entries = sum(row["n"] for row in inbox)
    return {
        "alerts": len(alerts),
        "by_level": {level: list(alerts.values()).count(level) for level in set(alerts.values())},
        "notices": len(notices),
        "steps_told": len(told),
        "escalation_late": late,
        "without_first_notices": len(set(alerts) - first_step),
        "lost_steps": lost_steps,
        "twice_told": twice_told,
        "inbox_entries": entries,
        "staff_notices": len(staff),
    }


# --- the run --------------------------------------------------------------------------------------
class Watcher(threading.Thread):
    """Reads the director's newest notifications every WATCH_PERIOD s; when each alert's notice
    was first seen (by the alert's page, which the notice links to)."""

    def __init__(self, port: int, key: str) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{port}/api/notifications?limit=100"
        self.key = key
        self.seen: dict[str, float] = {}
        self.stopping = threading.Event()
        self.errors = 0

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                items = _call(self.url, self.key)["items"]
            except OSError:
                self.errors += 1
                items = []
            now = time.time()
            for item in items:
                self.seen.setdefault(item["url"], now)
            self.stopping.wait(WATCH_PERIOD)


def _call(url: str, key: str, body: dict | None = None) -> dict:
    from run_bench import OPENER

    request = urllib.request.Request(  # noqa: S310 (127.0.0.1 only)
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with OPENER.open(request, timeout=60) as response:
        return json.loads(response.read())


def raise_all(port: int, key: str, students: list[int]) -> list[dict]:
    """ALERTS alerts through the API, RAISERS at once; each one's send time and answer."""

    def one(number: int) -> dict:
        body = {
            "risk_level": LEVELS[number % len(LEVELS)],
            "source": "duty_phone",
            "evidence": f"压测第{number}条:值班电话报告的情况",
            "student_id": students[number % len(students)],
            "key": f"bench-{number}",
        }
        sent = time.time()
        try:
            answer = _call(f"http://127.0.0.1:{port}/api/crisis/alerts", key, body)
        except OSError as error:
            return {"sent": sent, "error": repr(error)}
        return {"sent": sent, "answered": time.time(), "id": answer["id"]}

    with ThreadPoolExecutor(RAISERS) as pool:
        return list(pool.map(one, range(ALERTS)))


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _inside_django(env: dict[str, str], *args: str) -> dict:
    """Run this file's ``setup`` or ``collect`` on the backend's data; its JSON answer."""
    from run_bench import BIN, run

    output = run([str(BIN / "python"), str(HERE / "alert_bench.py"), *args], env)
    return json.loads(output.strip().splitlines()[-1])


def run_backend(work: Path, label: str, database: str | None, workers: int) -> dict:
    from backup_bench import _env, _pg_recreate, _xinqiao
    from run_bench import Processes, free_port, log, run, wait_until_up

    data_dir = work / label.lower()
    data_dir.mkdir(mode=0o700)
    env = _env(data_dir, database)
    huey_name = f"xinqiao-alert-bench-{os.getpid()}"
    env.update(XINQIAO_HUEY_NAME=huey_name)
    if database:
        env["XINQIAO_REDIS_URL"] = REDIS_URL
        _pg_recreate(database)
    processes = Processes(work)
    try:
        log(f"alerts, {label}: xinqiao init --no-admin, xinqiao demo")
        run(_xinqiao("init", "--no-admin"), env, timeout=600)
        run(_xinqiao("demo"), env, timeout=1200)
        made = _inside_django(env, "setup")
        port = free_port()
        server = processes.start(
            f"alerts-serve-{label.lower()}",
            _xinqiao("serve", "--host", "127.0.0.1", "--port", str(port)),
            env,
        )
        for number in range(workers):
            processes.start(f"alerts-worker{number}-{label.lower()}", _xinqiao("worker"), env)
        wait_until_up(server, f"http://127.0.0.1:{port}/healthz", tries=600)
        load_before = os.getloadavg()
        watcher = Watcher(port, made["key"])
        watcher.start()
        log(f"alerts, {label}: raising {ALERTS} alerts, {RAISERS} at once, {workers} worker(s)")
        started = time.monotonic()
        raised = raise_all(port, made["key"], made["students"])
        raising = time.monotonic() - started
        log(f"alerts, {label}: raised in {raising:.0f} s; waiting {SETTLE_SECONDS} s")
        time.sleep(SETTLE_SECONDS)  # the escalations' deadlines pass; nothing is asserted here
        watcher.stopping.set()
        watcher.join(timeout=30)
        load_after = os.getloadavg()
        # Stopped first: a worker telling a step while the outcome is read would be counted in
        # one table and not in the other.
        processes.stop_all()
        outcome = _inside_django(env, "collect", "--after", str(made["last_alert"]))
    finally:
        processes.stop_all()
        if database:
            _pg_recreate(database, drop_only=True)
            _flush_queue(huey_name)
    answered = [r for r in raised if "id" in r]
    inbox = []
    not_seen = 0
    for r in answered:
        seen = watcher.seen.get(f"/crisis/alerts/{r['id']}/")
        if seen is None:
            not_seen += 1
        else:
            inbox.append(seen - r["sent"])
    response = [r["answered"] - r["sent"] for r in answered]
    late = outcome.pop("escalation_late")
    return {
        "label": label,
        "workers": workers,
        "raising_seconds": raising,
        "raise_errors": len(raised) - len(answered),
        "response_p50": _percentile(response, 0.5),
        "response_p99": _percentile(response, 0.99),
        "inbox_p50": _percentile(inbox, 0.5),
        "inbox_p99": _percentile(inbox, 0.99),
        "inbox_max": max(inbox, default=None),
        "not_seen": not_seen,
        "watcher_errors": watcher.errors,
        "escalations": len(late),
        "late_p50": _percentile(late, 0.5),
        "late_p99": _percentile(late, 0.99),
        "late_max": max(late, default=None),
        "late_over_target": sum(1 for s in late if s > TARGET_ESCALATION_LATE),
        "load_before": load_before,
        "load_after": load_after,
        **outcome,
    }


def _flush_queue(huey_name: str) -> None:
    from huey import RedisHuey

    RedisHuey(huey_name, url=REDIS_URL).storage.flush_all()


def bench(work: Path) -> dict:
    from run_bench import PG_HOST, PG_PORT, answers, log

    results: dict = {"runs": [], "errors": []}
    backends = [("SQLite", None, 1)]
    if answers(PG_HOST, PG_PORT) and answers("127.0.0.1", 6379):
        backends.append(("PostgreSQL + Redis", "xinqiao_bench_alerts", 2))
    else:
        results["errors"].append("PostgreSQL or Redis does not answer on 127.0.0.1: not run")
    for label, database, workers in backends:
        try:
            results["runs"].append(run_backend(work, label, database, workers))
        except Exception as error:
            log(f"alerts, {label} failed: {error}")
            results["errors"].append(f"{label}: {str(error).splitlines()[0]}")
    return results


# --- the section of docs/benchmarks.md ------------------------------------------------------------
def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def section(results: dict, context: str = "") -> list[str]:
    """The markdown of the section "Crisis alerts"."""
    lines = [
        SECTION,
        "",
        f"{ALERTS} alerts raised through `POST /api/crisis/alerts` ({RAISERS} at once, one level"
        " in five 危机, two 高危, two 关注) against `xinqiao serve` as shipped, with `xinqiao"
        f" worker` running; the demo school's 危机 deadline set to {CRISIS_MINUTES} minute."
        " Time to the inbox: from sending the alert until a thread reading the director's"
        f" notifications through the API every {WATCH_PERIOD} s first sees its notice (an upper"
        " bound). Escalation: how long after its deadline each step was told (the 危机 alerts;"
        " 高危 and 关注 are not due within the run). Reproduce with `tests/bench/alert_bench.py`"
        " (its docstring says how it measures).",
        "",
    ]
    if context:
        lines += [context, ""]
    lines += [
        "| Database, workers | raised in | API answer p50 / p99 | to the inbox p50 / p99 / max"
        " | escalation steps told | after deadline p50 / p99 / max | lost | twice |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:
        lost = (
            run["raise_errors"]
            + run["not_seen"]
            + run["without_first_notices"]
            + run["lost_steps"]
            + max(0, run["staff_notices"] - run["inbox_entries"])
        )
        twice = run["twice_told"] + max(0, run["inbox_entries"] - run["staff_notices"])
        run["lost"], run["twice"] = lost, twice
        lines.append(
            f"| {run['label']}, {run['workers']} | {run['raising_seconds']:.0f} s"
            f" | {_s(run['response_p50'])} / {_s(run['response_p99'])} s"
            f" | {_s(run['inbox_p50'])} / {_s(run['inbox_p99'])} / {_s(run['inbox_max'])} s"
            f" | {run['escalations']}"
            f" | {_s(run['late_p50'])} / {_s(run['late_p99'])} / {_s(run['late_max'])} s"
            f" | {lost} | {twice} |"
        )
    lines.append("")
    for run in results["runs"]:
        p99 = run["inbox_p99"]
        lines.append(
            f"- {run['label']}: {run['alerts']} alerts stored ({run['by_level']}),"
            f" {run['notices']} notices; to the inbox p99 {_s(p99)} s, target under"
            f" {TARGET_INBOX_P99:.0f} s: {_verdict(p99 is not None and p99 < TARGET_INBOX_P99)};"
            f" escalation steps later than {TARGET_ESCALATION_LATE:.0f} s after their deadline:"
            f" {run['late_over_target']} of {run['escalations']}"
            f" ({_verdict(run['escalations'] > 0 and run['late_over_target'] == 0)}); lost"
            f" {run['lost']}, twice {run['twice']} ({_verdict(run['lost'] == run['twice'] == 0)})."
            f" Load average {run['load_before'][0]:.1f} before raising,"
            f" {run['load_after'][0]:.1f} after."
        )
    lines += [f"- **Failed or not run:** {error}" for error in results["errors"]]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode")
    sub.add_parser("setup")
    gather = sub.add_parser("collect")
    gather.add_argument("--after", type=int, required=True)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.mode == "setup":
        print(json.dumps(setup()))
        return 0
    if args.mode == "collect":
        print(json.dumps(collect(args.after)))
        return 0
    from backup_bench import replace_section
    from run_bench import DOC, machine

    info = machine()
    context = (
        f"This section was measured on its own (`alert_bench.py --write`, not within a whole"
        f" `make bench`) on {time.strftime('%Y-%m-%d %H:%M %Z')}, on {info['nproc']} CPU,"
        f" {info['cpu']}, a machine shared with other work: CPUs {info['busy']:.0f} % busy over"
        f" 1 s and load average {info['load']} just before it (each run's load is in its line"
        " below)."
    )
    work = Path(tempfile.mkdtemp(prefix="xinqiao-alert-bench-"))
    try:
        results = bench(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = section(results, context)
    print("\n".join(lines))
    print(json.dumps(results["runs"], default=str), file=sys.stderr)
    if args.write:
        document = DOC.read_text(encoding="utf-8")
        DOC.write_text(replace_section(document, lines, SECTION), encoding="utf-8")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
