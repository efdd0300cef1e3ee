"""The data directory is the owner's alone (issue 12 item 13): set by init, checked by serve."""

from __future__ import annotations

import os
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from xinqiao import cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _umask_kept():
    """``cli.main`` sets the process's umask; the other tests keep theirs."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


@pytest.fixture
def open_data_dir(tmp_path, settings):
    """A data directory as an older version or a careless copy left it: readable by all."""
    data_dir = tmp_path / "var"
    (data_dir / "backups").mkdir(parents=True)
    for name in ("xinqiao.sqlite3", "tasks.sqlite3", "backups/2026-12-01.tar"):
        (data_dir / name).write_bytes(b"private")
        (data_dir / name).chmod(0o644)
    (data_dir / "backups").chmod(0o755)
    data_dir.chmod(0o755)
    settings.DATA_DIR = data_dir
    return data_dir


@pytest.mark.django_db
def test_init_makes_the_data_directory_and_its_files_the_owners_alone(open_data_dir):
    call_command("init", "--no-admin", stdout=StringIO())
    assert mode(open_data_dir) == 0o700
    assert mode(open_data_dir / "backups") == 0o700
    for path in open_data_dir.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_serve_refuses_to_start_while_others_may_read_the_data(open_data_dir, monkeypatch):
    served = []
    monkeypatch.setattr("xinqiao.core.web_server.serve", lambda **kw: served.append(kw))
    with pytest.raises(SystemExit) as refused:
        cli.main(["serve", "--port", "8123"])
    assert str(open_data_dir / "xinqiao.sqlite3") in str(refused.value)
    assert "xinqiao init" in str(refused.value)
    assert served == []


def test_serve_starts_once_the_data_is_private(open_data_dir, monkeypatch):
    from xinqiao.core.data_files import make_private

    served = []
    monkeypatch.setattr("xinqiao.core.web_server.serve", lambda **kw: served.append(kw))
    make_private(open_data_dir)
    cli.main(["serve", "--port", "8123"])
    assert served and served[0]["port"] == 8123


def test_what_a_command_creates_later_is_the_owners_alone(tmp_path):
    """Every ``xinqiao`` command runs with umask 077 (SQLite's journal, uploads, backups)."""
    import subprocess
    import sys

    script = (
        "import sys; from xinqiao import cli; from pathlib import Path; "
        "sys.argv = ['xinqiao', '--help']; cli.main(); "
        f"Path({str(tmp_path / 'new')!r}).write_text('x'); "
        f"Path({str(tmp_path / 'dir')!r}).mkdir()"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, env=os.environ)
    assert mode(tmp_path / "new") == 0o600
    assert mode(tmp_path / "dir") == 0o700
