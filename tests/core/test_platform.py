from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from xinqiao.core.logging import JsonFormatter, RequestContextFilter

SRC = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "queue": "ok", "access_log": "ok"}


@pytest.mark.django_db
def test_the_task_queue_runs_jobs_on_its_configured_storage():
    from huey.contrib.djhuey import HUEY

    from xinqiao.core.tasks import clear_expired_sessions

    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    clear_expired_sessions()  # tests run tasks immediately, through the real storage
    assert not Session.objects.exists()
    expected = "RedisStorage" if settings.REDIS_URL else "SqliteStorage"
    assert type(HUEY.storage).__name__ == expected


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XINQIAO_", "PYTEST", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="xinqiao.settings",
        XINQIAO_PROFILE="production",
        XINQIAO_DATA_DIR=str(tmp_path),
        XINQIAO_SECRET_KEY="s" + os.urandom(40).hex(),
        XINQIAO_ALLOWED_HOSTS="xinqiao.school.example",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_demo_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINQIAO_", "PYTEST"))}
    env.update(
        XINQIAO_PROFILE="production",
        XINQIAO_DATA_DIR=str(tmp_path),
        XINQIAO_SECRET_KEY="s" * 60,
        XINQIAO_ALLOWED_HOSTS="x.example",
        XINQIAO_DEMO_MODE="1",
        DJANGO_SETTINGS_MODULE="xinqiao.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "refuses" in result.stderr


def test_logs_are_json_lines_without_the_text_of_exceptions():
    formatter = JsonFormatter()
    try:
        raise ValueError("学生的秘密 confidential-marker-55")
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/cases/1/",),
            sys.exc_info(),
        )
    RequestContextFilter().filter(record)
    line = formatter.format(record)
    entry = json.loads(line)
    assert entry["exception"] == "ValueError"
    assert entry["level"] == "ERROR"
    assert "confidential-marker" not in line
    assert entry["stack"]


@pytest.mark.django_db
def test_not_found_page_is_friendly_and_says_nothing_about_what_exists(client, cast, signed_in):
    signed_in(cast.principal)
    response = client.get("/no/such/page/secret-name/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "secret-name" not in body
    assert "页面不存在" in body


def test_server_error_page_leaks_nothing(rf):
    from xinqiao.core.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "出错了" in body
    assert "Traceback" not in body


def test_vendored_assets_are_present_with_versions_and_licences():
    vendor = SRC / "static" / "vendor"
    versions = json.loads((vendor / "versions.json").read_text())
    notes = (vendor / "VENDORED.md").read_text()
    for name, version in versions.items():
        assert version in notes, name
        assert any((vendor / name).glob("LICENSE*")), name
    for asset in ("htmx/htmx.min.js", "pico/pico.min.css", "echarts/echarts.min.js"):
        assert (vendor / asset).stat().st_size > 10_000


def test_no_template_loads_anything_from_another_site():
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text()
        for attribute in ('src="http', "src='http", 'href="http', "href='http", "//cdn"):
            assert attribute not in text, f"{template} loads from outside: {attribute}"


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (plain entries; enough for a completeness check)."""
    entries, msgid, msgstr, field, context = {}, None, None, None, None
    flags: set[str] = set()

    def flush():
        if msgid:
            # gettext keys a message with a context as "context\x04msgid".
            key = f"{context}\x04{msgid}" if context is not None else msgid
            entries[key] = "" if "fuzzy" in flags else msgstr

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            flush()
            msgid, msgstr, field, flags, context = None, None, None, set(), None
        elif line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("msgctxt "):
            context, field = json.loads(line[8:]), "context"
        elif line.startswith("msgid "):
            msgid, field = json.loads(line[6:]), "id"
        elif line.startswith("msgid_plural "):
            field = "plural"  # Chinese has one form: the msgid stands for both
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            msgstr, field = json.loads(line.split(" ", 1)[1]), "str"
        elif line.startswith('"'):
            if field == "id":
                msgid += json.loads(line)
            elif field == "str":
                msgstr += json.loads(line)
    return entries


def test_every_string_has_a_simplified_chinese_translation():
    import gettext

    po = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    entries = read_po(po)
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert not untranslated
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in entries.items() if compiled.gettext(msgid) != msgstr]
    assert not stale, f"django.mo is older than django.po for: {stale[:5]}"


@pytest.mark.django_db
def test_english_is_available(client):
    client.post("/i18n/setlang/", {"language": "en"})
    body = client.get("/accounts/sign-in/").content.decode()
    assert "Sign in to Xinqiao" in body


def _bench_rows(doc: str, heading: str) -> dict[str, list[str]]:
    """Scenario -> its figures, from the table under ``## heading`` of docs/benchmarks.md."""
    # The section's own table: its subsections (each role's workbench) have tables of their own.
    section = doc.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| GET "):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_the_benchmark_figures_are_recorded_beside_both_baselines_on_both_databases():
    """Issues 3 and 11: docs/benchmarks.md holds the figures of `make bench`: requests per second
    and p50/p95/p99 of /healthz and of signed-in staff pages, on SQLite and PostgreSQL, each with
    its ratio to a bare Django view and to a signed-in bare view measured in the same run."""
    doc = (SRC.parents[1] / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "make bench" in doc
    (bare,) = _bench_rows(doc, "Baseline: a bare Django view").values()
    bare_rps = float(bare[1])
    assert bare_rps > 0 and bare[-1] == "1.00"
    signed_in = "GET /bench/signed-in/ as `principal` (signed-in baseline)"
    for database in ("SQLite", "PostgreSQL"):
        rows = _bench_rows(doc, database)
        assert {
            signed_in,
            "GET /healthz",
            "GET / signed in as `principal` (staff home page)",
            "GET /cases/<pk>/ as `director` (case page)",
        } <= set(rows), database
        signed_in_rps = float(rows[signed_in][1])
        assert rows[signed_in][-1] == "1.00", database
        for scenario, cells in rows.items():
            requests, rps, p50, p95, p99, _failures, to_bare, to_signed_in = cells
            assert int(requests) > 0 and float(rps) > 0, (database, scenario)
            assert int(p50) <= int(p95) <= int(p99), (database, scenario)
            assert float(to_bare) == pytest.approx(float(rps) / bare_rps, abs=0.006), (
                database,
                scenario,
            )
            assert float(to_signed_in) == pytest.approx(float(rps) / signed_in_rps, abs=0.006), (
                database,
                scenario,
            )


@pytest.mark.parametrize(
    ("redis", "backend"),
    [("", "FileBasedCache"), ("redis://127.0.0.1:6379/15", "RedisCache")],
)
def test_the_counters_every_server_process_shares_live_outside_the_process(
    tmp_path, redis, backend
):
    """The letterbox's daily limit and the pickup code's lock count across gunicorn's workers
    (a file cache in the data directory) and across servers (Redis when configured)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINQIAO_", "PYTEST"))}
    env.update(
        XINQIAO_PROFILE="production",
        XINQIAO_DATA_DIR=str(tmp_path),
        XINQIAO_SECRET_KEY="s" * 60,
        XINQIAO_ALLOWED_HOSTS="x.example",
        XINQIAO_REDIS_URL=redis,
        DJANGO_SETTINGS_MODULE="xinqiao.settings",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert backend in result.stdout
    if not redis:
        assert str(tmp_path / "cache") in result.stdout
