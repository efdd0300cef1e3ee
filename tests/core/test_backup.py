"""xinqiao backup / restore / keys, run as the IT teacher runs them: commands in their own data
directories (subprocesses), a small school built by the factories (tests/core/backup_seed.py)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.core import backup_seed

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432/"


def command_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "XINQIAO_KEY_FILE"}}
    env.update(
        XINQIAO_DATA_DIR=str(data_dir),
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        XINQIAO_HUEY_NAME=f"backup-test-{data_dir.name}",
        LANG="en_US.UTF-8",  # the commands answer in the shell's language
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def xinqiao(data_dir: Path, *args: str, database_url: str | None = None, check: bool = True):
    done = subprocess.run(
        [sys.executable, "-m", "xinqiao.cli", *args],
        cwd=ROOT,
        env=command_env(data_dir, database_url),
        capture_output=True,
        text=True,
    )
    if check and done.returncode:
        raise AssertionError(f"xinqiao {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def shell(data_dir: Path, code: str, **kwargs) -> str:
    return xinqiao(data_dir, "manage", "shell", "-c", code, **kwargs).stdout


DECRYPTED = "from tests.core.backup_seed import print_decrypted; print_decrypted()"


def with_keys_of(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(source / "keys", target / "keys")
    return target


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "static" not in p.parts
    }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, str]:
    """The school, built once for the module, and every decrypted value of it (one process)."""
    data_dir = tmp_path_factory.mktemp("school")
    xinqiao(data_dir, "init", "--no-admin")
    values = shell(data_dir, f"from tests.core.backup_seed import seed; seed(); {DECRYPTED}")
    assert backup_seed.NOTE in values
    return data_dir, values


@pytest.fixture(scope="module")
def school_dir(seeded) -> Path:
    return seeded[0]


@pytest.fixture(scope="module")
def original(seeded) -> str:
    """Every decrypted value of the school."""
    return seeded[1]


@pytest.fixture(scope="module")
def backup_file(school_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backups")
    done = xinqiao(school_dir, "backup", "--to", str(out))
    assert "backup written" in done.stderr  # progress on stderr
    assert "written and verified" in done.stdout
    (path,) = out.glob("*.xqbak")
    return path


@pytest.fixture(scope="module")
def restored_dir(school_dir, backup_file, tmp_path_factory) -> Path:
    target = with_keys_of(school_dir, tmp_path_factory.mktemp("restored") / "data")
    done = xinqiao(target, "restore", str(backup_file))
    assert "verified" in done.stdout
    return target


def test_a_restore_on_a_fresh_directory_gives_every_row_and_every_decrypted_note(
    original, restored_dir
):
    assert shell(restored_dir, DECRYPTED) == original
    assert (restored_dir / "uploads" / "letters" / "scan.txt").read_text() == backup_seed.UPLOAD
    assert "Access log intact" in xinqiao(restored_dir, "verify-audit").stdout


def test_the_backup_file_holds_no_note_name_phone_or_upload_in_the_clear(school_dir, backup_file):
    content = backup_file.read_bytes()
    database = b"".join(p.read_bytes() for p in school_dir.glob("xinqiao.sqlite3*"))
    assert backup_seed.NAME.encode() in database  # the canary is findable where it is clear
    for canary in (backup_seed.NOTE, backup_seed.NAME, backup_seed.PHONE, backup_seed.UPLOAD):
        assert canary.encode() not in content
        assert canary.encode("utf-16-le") not in content
    assert os.stat(backup_file).st_mode & 0o077 == 0


def test_a_restore_without_the_backup_key_fails_clearly_and_creates_no_database(
    school_dir, backup_file, tmp_path
):
    target = with_keys_of(school_dir, tmp_path / "data")
    (target / "keys" / "backup.key").unlink()
    done = xinqiao(target, "restore", str(backup_file), check=False)
    assert done.returncode != 0
    assert "backup key" in done.stderr and "keys import" in done.stderr
    assert not list(target.glob("xinqiao.sqlite3*"))
    assert not [p for p in target.iterdir() if p.name.startswith(".restore")]


def test_a_restore_with_a_wrong_backup_key_over_existing_data_changes_nothing(
    restored_dir, backup_file
):
    key = restored_dir / "keys" / "backup.key"
    right = key.read_bytes()
    before = tree_digest(restored_dir)
    key.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
    try:
        done = xinqiao(restored_dir, "restore", "--force", str(backup_file), check=False)
    finally:
        key.write_bytes(right)
    assert done.returncode != 0
    assert "is not the one this backup was made with" in done.stderr
    assert tree_digest(restored_dir) == before


def test_a_restore_without_the_field_keys_fails_clearly(school_dir, backup_file, tmp_path):
    target = with_keys_of(school_dir, tmp_path / "data")
    (target / "keys" / "fields.keys").unlink()
    done = xinqiao(target, "restore", str(backup_file), check=False)
    assert done.returncode != 0
    assert "field-encryption keys" in done.stderr
    assert not list(target.glob("xinqiao.sqlite3*"))


def test_a_changed_backup_file_is_refused_before_anything_is_restored(
    school_dir, backup_file, tmp_path
):
    damaged = tmp_path / "damaged.xqbak"
    content = bytearray(backup_file.read_bytes())
    content[len(content) // 2] ^= 0x01
    damaged.write_bytes(bytes(content))
    target = with_keys_of(school_dir, tmp_path / "data")
    done = xinqiao(target, "restore", str(damaged), check=False)
    assert done.returncode != 0
    assert "damaged or was changed" in done.stderr
    assert not list(target.glob("xinqiao.sqlite3*"))


def test_a_restore_over_existing_data_needs_force_and_keeps_a_backup_of_it_first(
    restored_dir, backup_file
):
    refused = xinqiao(restored_dir, "restore", str(backup_file), check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr
    before = set((restored_dir / "backups").glob("*.xqbak"))
    done = xinqiao(restored_dir, "restore", "--force", "--quiet", str(backup_file))
    assert "kept in" in done.stdout
    assert len(set((restored_dir / "backups").glob("*.xqbak")) - before) == 1


def test_keys_exported_then_imported_into_a_new_directory_make_the_restore_work(
    school_dir, original, backup_file, tmp_path
):
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("a long passphrase for the drawer")
    export = tmp_path / "keys.xqkeys"
    xinqiao(school_dir, "keys", "export", str(export), "--passphrase-file", str(passphrase))
    assert os.stat(export).st_mode & 0o077 == 0
    for name in ("fields.keys", "backup.key", "secret_key"):
        assert (school_dir / "keys" / name).read_bytes() not in export.read_bytes()

    target = tmp_path / "new-machine"
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all")
    refused = xinqiao(
        target, "keys", "import", str(export), "--passphrase-file", str(wrong), check=False
    )
    assert refused.returncode != 0 and "Wrong passphrase" in refused.stderr
    assert not (target / "keys" / "fields.keys").exists()

    xinqiao(target, "keys", "import", str(export), "--passphrase-file", str(passphrase))
    assert tree_digest(target / "keys") == tree_digest(school_dir / "keys")
    assert os.stat(target / "keys" / "backup.key").st_mode & 0o777 == 0o600
    xinqiao(target, "restore", "--quiet", str(backup_file))
    assert shell(target, DECRYPTED) == original


def test_a_backup_taken_while_twenty_clients_write_restores_to_a_consistent_state(
    school_dir, tmp_path
):
    busy = tmp_path / "busy"
    shutil.copytree(school_dir, busy, ignore=shutil.ignore_patterns("static"))
    stop = tmp_path / "stop"
    code = f"from tests.core.backup_seed import write_until; write_until({str(stop)!r})"
    writers = subprocess.Popen(
        [sys.executable, "-m", "xinqiao.cli", "manage", "shell", "-c", code],
        cwd=ROOT,
        env=command_env(busy),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = any(line.strip() == "writing" for line in writers.stdout)
        assert started, "the writers did not start"
        xinqiao(busy, "backup", "--quiet", "--to", str(tmp_path / "out"))
    finally:
        stop.touch()
        _, errors = writers.communicate(timeout=300)
    assert writers.returncode == 0, errors
    (taken,) = (tmp_path / "out").glob("*.xqbak")
    target = with_keys_of(school_dir, tmp_path / "restored")
    # The restore verifies row counts, content hashes, foreign keys and the access-log chain.
    assert "verified" in xinqiao(target, "restore", "--quiet", str(taken)).stdout
    assert "Access log intact" in xinqiao(target, "verify-audit").stdout


@pytest.fixture
def throwaway_postgres():
    name = f"xinqiao_backup_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG + "postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at 127.0.0.1:5432 ({error})")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield PG + name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_a_school_moves_from_sqlite_to_postgresql_and_back_with_every_row(
    school_dir, original, backup_file, throwaway_postgres, tmp_path
):
    on_pg = with_keys_of(school_dir, tmp_path / "district")
    xinqiao(on_pg, "restore", "--quiet", str(backup_file), database_url=throwaway_postgres)
    # Every note as it was; and new rows get new ids after the move: the sequences were reset.
    add_school = (
        "from tests.factories import SchoolFactory; SchoolFactory(name='新学校', code='new')"
    )
    decrypted = shell(on_pg, f"{DECRYPTED}; {add_school}", database_url=throwaway_postgres)
    assert decrypted == original
    xinqiao(
        on_pg, "backup", "--quiet", "--to", str(tmp_path / "pg"), database_url=throwaway_postgres
    )
    (from_pg,) = (tmp_path / "pg").glob("*.xqbak")

    back = with_keys_of(school_dir, tmp_path / "school-again")
    done = xinqiao(back, "restore", "--quiet", str(from_pg))
    assert "(postgresql, " in done.stdout and "verified" in done.stdout
    schools = "from xinqiao.people.models import School; print(list(School.objects.values_list('name', flat=True)))"
    decrypted, names = shell(back, f"{DECRYPTED}; {schools}").rstrip("\n").rsplit("\n", 1)
    assert decrypted + "\n" == original
    assert "新学校" in names
