"""PostgreSQL point-in-time recovery, as the README's routine for a district describes it.

The test makes its own **throwaway PostgreSQL cluster** with ``initdb`` in a temporary directory
(on a free port on 127.0.0.1, WAL archiving on), never the server the rest of the suite uses:
it takes a base backup with ``pg_basebackup``, inserts row A, notes the time, inserts row B and
switches to a new WAL file; then it restores the base backup and the archived WAL into another
temporary directory with ``recovery_target_time`` between the two inserts, and finds A but not B.
Both clusters are stopped and the directories removed whatever happens.

PostgreSQL refuses to run as root: when the suite runs as root (CI), the server programs run as
the ``postgres`` system user and the temporary directories belong to it. Skipped only when the
PostgreSQL server programs are not installed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_isready", "psql")
WAIT_SECONDS = 60  # the longest any step may take before the test gives up


def server_bin() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for directory in candidates:
        if all((directory / program).exists() for program in SERVER_PROGRAMS):
            return directory
    return None


BIN = server_bin()
pytestmark = pytest.mark.skipif(
    BIN is None,
    reason="the PostgreSQL server programs (initdb, pg_ctl, pg_basebackup in "
    "/usr/lib/postgresql/<major>/bin) are not installed",
)
AS_ROOT = os.geteuid() == 0


def as_owner(*command: str) -> list[str]:
    """A command line run as ``postgres`` when we are root (the data directories' owner)."""
    return ["runuser", "-u", "postgres", "--", *command] if AS_ROOT else list(command)


def server(program: str, *args: str) -> list[str]:
    return as_owner(str(BIN / program), *args)


def run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=WAIT_SECONDS)
    if done.returncode:
        raise AssertionError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds, at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {WAIT_SECONDS} s waiting for {what}")
        time.sleep(0.1)


class Cluster:
    """One PostgreSQL data directory and the server running on it."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port

    def start(self) -> None:
        # -w: pg_ctl returns once the server accepts connections (bounded by -t).
        log = self.data.parent / f"{self.data.name}.log"
        try:
            run(server("pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "-t", "60", "start"))
        except AssertionError as error:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise AssertionError(f"{error}\nserver log:\n{server_log[-3000:]}") from None
        wait_for(f"the server on port {self.port}", self.ready)

    def ready(self) -> bool:
        command = [str(BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(command, timeout=WAIT_SECONDS).returncode == 0

    def sql(self, statement: str) -> str:
        command = [str(BIN / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres"]
        return run([*command, "-c", statement]).strip()

    def stop(self) -> None:
        """Stop the server if it runs: politely, then at once (never raises: it runs in finally)."""
        for mode in ("fast", "immediate"):
            if not (self.data / "postmaster.pid").exists():
                return
            command = server("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "20", "stop")
            try:
                subprocess.run(command, capture_output=True, timeout=30)
            except subprocess.TimeoutExpired:
                continue


def settings(cluster: Cluster, **values: str | int) -> None:
    """Append settings to the cluster's postgresql.conf (the later line wins)."""
    lines = [f"{name} = '{value}'" for name, value in values.items()]
    with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n".join(lines) + "\n")


@pytest.fixture
def workdir():
    """A temporary directory the server programs' user owns; removed at the end."""
    path = Path(tempfile.mkdtemp(prefix="xinqiao-pitr-"))
    if AS_ROOT:
        owner = pwd.getpwnam("postgres")
        os.chown(path, owner.pw_uid, owner.pw_gid)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_base_backup_and_archived_wal_restore_to_a_time_between_two_inserts(workdir):
    archive = workdir / "wal-archive"
    run(as_owner("mkdir", str(archive)))
    primary = Cluster(workdir / "primary", free_port())
    restored = Cluster(workdir / "restored", free_port())
    try:
        # 1. The district's server: WAL archiving on (archive_command copies each full WAL file).
        run(
            server(
                "initdb",
                "-D",
                str(primary.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            )
        )
        settings(
            primary,
            listen_addresses="127.0.0.1",
            port=primary.port,
            unix_socket_directories=str(workdir),
            wal_level="replica",
            archive_mode="on",
            archive_command=f"test ! -f {archive}/%f && cp %p {archive}/%f",
            fsync="off",
        )
        primary.start()

        # 2. The base backup (fast checkpoint: do not wait for a spread one).
        base = workdir / "base"
        run(
            server(
                "pg_basebackup",
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(base),
                "--checkpoint=fast",
                "--wal-method=stream",
            )
        )

        # 3. Row A, the moment to go back to, row B; then the current WAL file is archived.
        primary.sql("CREATE TABLE letters (body text)")
        primary.sql("INSERT INTO letters VALUES ('A')")
        target = primary.sql("SELECT clock_timestamp()")
        wait_for(
            "the clock to move past the target",
            lambda: primary.sql(f"SELECT clock_timestamp() > '{target}'") == "t",
        )
        primary.sql("INSERT INTO letters VALUES ('B')")
        last_wal = primary.sql("SELECT pg_walfile_name(pg_switch_wal())")
        wait_for(f"WAL file {last_wal} in the archive", lambda: (archive / last_wal).exists())
        assert sorted(primary.sql("SELECT body FROM letters").split()) == ["A", "B"]
        primary.stop()  # the machine is lost

        # 4. Restore: the base backup into a new directory, then replay archived WAL up to the target.
        run(as_owner("cp", "-a", str(base), str(restored.data)))
        settings(
            restored,
            port=restored.port,
            archive_mode="off",
            restore_command=f"cp {archive}/%f %p",
            recovery_target_time=target,
            recovery_target_action="promote",
        )
        run(as_owner("touch", str(restored.data / "recovery.signal")))
        restored.start()
        wait_for("the end of recovery", lambda: restored.sql("SELECT pg_is_in_recovery()") == "f")

        assert restored.sql("SELECT body FROM letters ORDER BY body").split() == ["A"]  # no B
    finally:
        restored.stop()
        primary.stop()
