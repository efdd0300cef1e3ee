"""Backups: one encrypted file that holds everything a school needs to lose a machine and lose nothing.

A backup file is a gzip-compressed tar, encrypted in chunks with AES-GCM under the **backup key**
(``keys/backup.key``; never the field-encryption key). Inside:

- ``manifest.json``: version, migration state, row count and content hash of every table, the
  ids of the keys the restore needs, when and by whom;
- the database's native snapshot: SQLite's online backup API, or ``pg_dump --format=custom``
  taken in the same transaction snapshot as the portable dump;
- ``tables/<table>.jsonl``: a portable dump of every table, engine-independent, which carries a
  school from SQLite to PostgreSQL and back. Encrypted fields stay the ciphertext stored in the
  database: the backup never decrypts a note;
- ``tasks.sqlite3``: the task store with its pending tasks (when it is a SQLite file);
- ``uploads/``: the uploaded files.

A restore reads the header, checks the backup key and the field keys, decrypts, checks every
member's hash against the manifest before it touches the database, restores, verifies row counts,
content hashes and the access-log chain, and only then brings an older schema up to date.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

from xinqiao.core import crypto
from xinqiao.core.fields import EncryptedTextField

FORMAT = 1
MAGIC = b"XINQIAO-BACKUP\n"
CHUNK = 1 << 20
# gzip's own default: a third of level 9's time for a file about 1 % larger (docs/benchmarks.md,
# "Backup and restore"); tarfile's "w|gz" is always level 9 before Python 3.12.
COMPRESSION = 6
MANIFEST = "manifest.json"
SNAPSHOT_ALIAS = "xinqiao_backup_snapshot"

Progress = Callable[[str, int], None]  # (what is being done, percent done)


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


# --- keys ---------------------------------------------------------------------------------------
def keys_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def backup_key_file() -> Path:
    return keys_dir() / "backup.key"


def key_id(key: bytes) -> str:
    """A fingerprint that names a key without revealing it."""
    return hashlib.sha256(b"xinqiao-key-id:" + key).hexdigest()[:16]


def write_private_file(path: Path, data: bytes) -> None:
    """Write atomically, readable by the owner only (keys, exports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def ensure_backup_key() -> bool:
    """Create the backup key file if it is missing. True when created."""
    path = backup_key_file()
    if path.exists():
        return False
    keys_dir().mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir(), 0o700)
    write_private_file(path, base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)) + b"\n")
    return True


def read_backup_key() -> bytes | None:
    path = backup_key_file()
    if not path.exists():
        return None
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError(
            _("The backup key file %(path)s is damaged (it holds no 256-bit key).") % {"path": path}
        )
    return key


def field_key_ids() -> list[str]:
    return [key_id(key) for key in crypto.read_keys()]


# --- the encrypted container --------------------------------------------------------------------
class _EncryptingWriter:
    """A write-only file object: chunks of AES-GCM; the last chunk is marked so that a
    truncated file is detected. Each chunk's nonce is the file's random prefix and its number."""

    def __init__(self, out: IO[bytes], key: bytes, header: bytes):
        self._out, self._aead, self._header = out, AESGCM(key), header
        self._prefix = bytes.fromhex(json.loads(header[len(MAGIC) :])["nonce_prefix"])
        self._buffer, self._counter = bytearray(), 0
        out.write(header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._counter)
        sealed = self._aead.encrypt(nonce, chunk, self._header + (b"\x01" if last else b"\x00"))
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()


def read_header(path: Path) -> dict:
    with path.open("rb") as handle:
        magic = handle.read(len(MAGIC))
        if magic != MAGIC:
            raise BackupError(_("%(path)s is not a Xinqiao backup file.") % {"path": path})
        return json.loads(handle.readline())


def _decrypt_chunks(handle: IO[bytes], key: bytes) -> Iterator[bytes]:
    handle.seek(0)
    header = handle.read(len(MAGIC)) + handle.readline()
    prefix = bytes.fromhex(json.loads(header[len(MAGIC) :])["nonce_prefix"])
    aead, counter = AESGCM(key), 0
    length = handle.read(4)
    while length:
        sealed = handle.read(struct.unpack(">I", length)[0])
        length = handle.read(4)
        last = not length
        nonce = prefix + struct.pack(">I", counter)
        try:
            yield aead.decrypt(nonce, sealed, header + (b"\x01" if last else b"\x00"))
        except InvalidTag:
            raise BackupError(
                _("The backup file is damaged or was changed (a part of it does not decrypt).")
            ) from None
        counter += 1
    if counter == 0:
        raise BackupError(_("The backup file is empty or cut short."))


class _ChunkReader:
    """A read-only file object over the decrypted chunks, for tarfile's stream mode."""

    def __init__(self, chunks: Iterator[bytes]):
        # A bytearray drops what was read from its front without copying the rest (bytes would
        # copy the remaining megabyte on every small read tarfile makes).
        self._chunks, self._buffer = chunks, bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


# --- the portable dump ---------------------------------------------------------------------------
def _table_models() -> list[type[models.Model]]:
    seen, result = set(), []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        result.append(model)
    return sorted(result, key=lambda m: m._meta.db_table)


def _portable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot dump {type(value).__name__}")


def _rows(model: type[models.Model], alias: str) -> Iterator[list]:
    """Every row as stored: encrypted fields come out as their ciphertext, not decrypted."""
    fields = model._meta.local_concrete_fields
    raw = {
        f"_stored_{f.attname}": models.ExpressionWrapper(
            models.F(f.attname), output_field=models.TextField()
        )
        for f in fields
        if isinstance(f, EncryptedTextField)
    }
    names = [f"_stored_{f.attname}" if f"_stored_{f.attname}" in raw else f.attname for f in fields]
    queryset = model._base_manager.using(alias).annotate(**raw).order_by("pk").values_list(*names)
    for row in queryset.iterator(chunk_size=2000):
        yield list(row)


# One encoder for every row (json.dumps with these options would build one per call).
_ROW_ENCODER = json.JSONEncoder(
    default=_portable, ensure_ascii=False, sort_keys=True, separators=(",", ":")
)


def _dump_line(row: list) -> bytes:
    return _ROW_ENCODER.encode(row).encode()


@dataclass
class TableDigest:
    rows: int = 0
    # The sum of the rows' hashes: independent of row order, which differs between engines
    # for text keys (collation).
    total: int = 0

    def add(self, line: bytes) -> None:
        self.rows += 1
        self.total = (self.total + int.from_bytes(hashlib.sha256(line).digest())) % (1 << 256)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "sha256": f"{self.total:064x}"}


def dump_tables(alias: str, out_dir: Path | None, progress: Progress) -> dict[str, dict]:
    """Write ``<table>.jsonl`` for every table (or only digest them, ``out_dir=None``)."""
    result: dict[str, dict] = {}
    all_models = _table_models()
    for number, model in enumerate(all_models):
        table, digest = model._meta.db_table, TableDigest()
        handle = (out_dir / f"{table}.jsonl").open("wb") if out_dir else None
        try:
            for row in _rows(model, alias):
                line = _dump_line(row)
                digest.add(line)
                if handle:
                    handle.write(line + b"\n")
        finally:
            if handle:
                handle.close()
        result[table] = {
            **digest.as_dict(),
            "columns": [f.attname for f in model._meta.local_concrete_fields],
        }
        progress(f"table {table}: {digest.rows} rows", 10 + 60 * (number + 1) // len(all_models))
    return result


def _load_tables(tables_dir: Path, manifest: dict, progress: Progress) -> None:
    """Insert the portable dump into an empty schema, ciphertext as it was stored."""
    by_table = {m._meta.db_table: m for m in _table_models()}
    quote = connection.ops.quote_name
    loaded = [by_table[t] for t in manifest["tables"] if t in by_table]
    with connection.constraint_checks_disabled():
        with transaction.atomic(), connection.cursor() as cursor:
            for model in loaded:  # rows the migrations themselves created
                if model._base_manager.exists():
                    cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 -- a model's table
            for number, model in enumerate(loaded):
                _insert_table(cursor, model, tables_dir, manifest["tables"][model._meta.db_table])
                progress(f"loaded {model._meta.db_table}", 30 + 40 * (number + 1) // len(loaded))
        connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                cursor.execute(statement)


def _insert_table(cursor, model: type[models.Model], tables_dir: Path, entry: dict) -> None:
    by_attname = {f.attname: f for f in model._meta.local_concrete_fields}
    columns = entry["columns"]
    unknown = [c for c in columns if c not in by_attname]
    if unknown:
        raise BackupError(f"Table {model._meta.db_table} has unknown columns {unknown}.")
    fields = [by_attname[c] for c in columns]
    quote = connection.ops.quote_name
    # Names come from the models; values are parameters.
    columns_sql = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns_sql}) VALUES ({placeholders})"  # noqa: S608

    def prepared(f, value):
        if value is None or isinstance(f, EncryptedTextField):
            return value  # ciphertext goes back exactly as it was stored
        return f.get_db_prep_save(f.to_python(value), connection)

    batch: list[list] = []
    with (tables_dir / f"{model._meta.db_table}.jsonl").open("rb") as handle:
        for line in handle:
            batch.append([prepared(f, v) for f, v in zip(fields, json.loads(line), strict=True)])
            if len(batch) >= 1000:
                cursor.executemany(sql, batch)
                batch.clear()
    if batch:
        cursor.executemany(sql, batch)


# --- migrations ----------------------------------------------------------------------------------
def applied_migrations(alias: str = "default") -> list[list[str]]:
    recorder = MigrationRecorder(connections[alias])
    return sorted([app, name] for app, name in recorder.applied_migrations())


# --- backup --------------------------------------------------------------------------------------
@dataclass
class BackupResult:
    path: Path
    manifest: dict = field(default_factory=dict)


def no_progress(message: str, percent: int) -> None:
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while other processes go on writing."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(command: list[str], db: dict) -> None:
    done = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


class _SnapshotConnection:
    """A second connection, made on the spot (not added to the settings), for the snapshot:
    on SQLite to the snapshot file, so the portable dump reads the very state the native
    snapshot holds; on PostgreSQL to the same database, so the snapshot's read-only
    transaction leaves the default connection free to record progress."""

    def __init__(self, **overrides):
        self.overrides = overrides

    def __enter__(self) -> str:
        settings_dict = {**connection.settings_dict, **self.overrides}
        backend = load_backend(settings_dict["ENGINE"])
        connections[SNAPSHOT_ALIAS] = backend.DatabaseWrapper(settings_dict, SNAPSHOT_ALIAS)
        return SNAPSHOT_ALIAS

    def __exit__(self, *exc) -> None:
        connections[SNAPSHOT_ALIAS].close()
        del connections[SNAPSHOT_ALIAS]


def _snapshot_database(staging: Path, progress: Progress) -> tuple[str, dict, list]:
    """Native snapshot plus portable dump of one consistent state."""
    tables_dir = staging / "tables"
    tables_dir.mkdir()
    if connection.vendor == "sqlite":
        target = staging / "database.sqlite3"
        _sqlite_copy(Path(settings.DATABASES["default"]["NAME"]), target)
        progress("database snapshot taken", 10)
        with _SnapshotConnection(NAME=str(target)) as alias:
            return target.name, dump_tables(alias, tables_dir, progress), applied_migrations(alias)
    if not shutil.which("pg_dump"):
        raise BackupError("pg_dump is not installed; install the PostgreSQL client tools.")
    db = settings.DATABASES["default"]
    target = staging / "database.pgdump"
    with _SnapshotConnection() as alias, transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-owner",
                "-f",
                str(target),
                db["NAME"],
            ],
            db,
        )
        progress("database snapshot taken", 10)
        return target.name, dump_tables(alias, tables_dir, progress), applied_migrations(alias)


def _task_store() -> Path | None:
    filename = settings.HUEY.get("filename")
    return Path(filename) if filename else None


def backup(
    *, to: Path | None = None, by: str = "", progress: Progress = no_progress
) -> BackupResult:
    """Write one encrypted backup file into ``to`` (the data dir's backups/ by default)."""
    ensure_backup_key()
    key = read_backup_key()
    out_dir = Path(to or settings.BACKUP_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    name = f"xinqiao-{created.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.xqbak"
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".backup-") as tmp:
        staging = Path(tmp) / "content"
        staging.mkdir()
        native, tables, migrations = _snapshot_database(staging, progress)
        store = _task_store()
        if store and store.exists():
            _sqlite_copy(store, staging / "tasks.sqlite3")
        uploads = Path(settings.MEDIA_ROOT)
        if uploads.is_dir() and any(uploads.iterdir()):
            shutil.copytree(uploads, staging / "uploads")
        progress("files collected", 75)
        files = {
            str(p.relative_to(staging)): _sha256(p)
            for p in sorted(staging.rglob("*"))
            if p.is_file()
        }
        manifest = {
            "format": FORMAT,
            "app_version": _app_version(),
            "created_at": created.isoformat(),
            "created_by": by or getpass.getuser(),
            "engine": connection.vendor,
            "native": native,
            "migrations": migrations,
            "tables": tables,
            "files": files,
            "backup_key_id": key_id(key),
            "field_key_ids": field_key_ids(),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        header = (
            MAGIC
            + json.dumps(
                {
                    "format": FORMAT,
                    "backup_key_id": key_id(key),
                    "nonce_prefix": os.urandom(8).hex(),
                }
            ).encode()
            + b"\n"
        )
        partial = out_dir / (name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw:
            writer = _EncryptingWriter(raw, key, header)
            with (
                gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=COMPRESSION) as compressed,
                tarfile.open(fileobj=compressed, mode="w|") as tar,
            ):
                tar.add(staging / MANIFEST, arcname=MANIFEST)
                for member in files:
                    tar.add(staging / member, arcname=member)
            writer.close()
        os.replace(partial, out_dir / name)
    progress("backup written", 100)
    return BackupResult(out_dir / name, manifest)


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xinqiao")
    except PackageNotFoundError:
        return "unknown"


# --- reading a backup ----------------------------------------------------------------------------
def open_backup(path: Path, into: Path) -> dict:
    """Decrypt and unpack into ``into``; check the keys and every member's hash. Returns the
    manifest. Touches nothing outside ``into``."""
    header = read_header(path)
    key = read_backup_key()
    if key is None:
        raise BackupError(
            _(
                "The backup key %(path)s is missing. Bring the keys back with `xinqiao keys "
                "import` first (this backup needs key %(needed)s)."
            )
            % {"path": backup_key_file(), "needed": header["backup_key_id"]}
        )
    if key_id(key) != header["backup_key_id"]:
        raise BackupError(
            _(
                "The backup key in %(path)s is not the one this backup was made with (it needs "
                "key %(needed)s, this one is %(found)s). Import the right keys with `xinqiao "
                "keys import`."
            )
            % {"path": backup_key_file(), "needed": header["backup_key_id"], "found": key_id(key)}
        )
    with (
        path.open("rb") as handle,
        tarfile.open(fileobj=_ChunkReader(_decrypt_chunks(handle, key)), mode="r|gz") as tar,
    ):
        tar.extractall(into, filter="data")
    manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    for member, expected in manifest["files"].items():
        if not (into / member).is_file() or _sha256(into / member) != expected:
            raise BackupError(
                _("The backup's %(member)s does not match its manifest.") % {"member": member}
            )
    missing = sorted(set(manifest["field_key_ids"]) - set(_available_field_key_ids()))
    if missing:
        raise BackupError(
            _(
                "The field-encryption keys %(keys)s this backup needs are not in %(path)s. "
                "Import the keys with `xinqiao keys import` first."
            )
            % {"keys": ", ".join(missing), "path": crypto.key_file()}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    unknown = [tuple(m) for m in manifest["migrations"] if tuple(m) not in known]
    if unknown:
        raise BackupError(
            _(
                "This backup comes from a newer version of Xinqiao (unknown migrations "
                "%(migrations)s); upgrade Xinqiao before restoring it."
            )
            % {"migrations": unknown[:3]}
        )
    return manifest


def _available_field_key_ids() -> list[str]:
    try:
        return field_key_ids()
    except ImproperlyConfigured:  # no key file: every key is reported missing
        return []


# --- restore -------------------------------------------------------------------------------------
@dataclass
class RestoreResult:
    manifest: dict
    safety_backup: Path | None
    audit_rows: int


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _wipe_database() -> None:
    if connection.vendor == "sqlite":
        connection.close()
        name = Path(settings.DATABASES["default"]["NAME"])
        for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
            path.unlink(missing_ok=True)
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def _restore_native(snapshot: Path) -> None:
    if connection.vendor == "sqlite":
        connection.close()
        _sqlite_copy(snapshot, Path(settings.DATABASES["default"]["NAME"]))
        return
    db = settings.DATABASES["default"]
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            db["NAME"],
            str(snapshot),
        ],
        db,
    )


def _migrate_to(migrations: list[list[str]]) -> None:
    """Build the schema exactly as the backup's database had it."""
    executor = MigrationExecutor(connection)
    nodes = {tuple(m) for m in migrations}
    graph = executor.loader.graph
    leaves = [
        node
        for node in sorted(nodes)
        if not any(child in nodes for child in graph.node_map[node].children if child[0] == node[0])
    ]
    executor.migrate(leaves)


def verify_database(manifest: dict, progress: Progress = no_progress) -> list[str]:
    """Row counts and content hashes of every table against the manifest; the problems found."""
    actual = dump_tables("default", None, progress)
    problems = []
    for table, expected in manifest["tables"].items():
        found = actual.get(table)
        if found is None:
            problems.append(f"table {table} is missing")
        elif found["rows"] != expected["rows"]:
            problems.append(
                f"table {table}: {found['rows']} rows, the backup had {expected['rows']}"
            )
        elif found["sha256"] != expected["sha256"]:
            problems.append(f"table {table}: the content differs from the backup")
    return problems


def restore(
    path: Path, *, force: bool = False, by: str = "", progress: Progress = no_progress
) -> RestoreResult:
    """Restore a backup file into this data directory's database (see the module docstring)."""
    from xinqiao.core.access_log import reanchor, verify_chain
    from xinqiao.core.models import AccessLog

    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".restore-") as tmp:
        staging = Path(tmp)
        manifest = open_backup(Path(path), staging)
        progress("backup file checked", 20)
        safety = None
        if not database_is_empty():
            if not force:
                raise BackupError(
                    _(
                        "This data directory already holds a database. Restore onto an empty "
                        "data directory, or add --force (what is there is backed up first)."
                    )
                )
            safety = backup(by=by, progress=no_progress).path
            progress(f"the current data was backed up first: {safety}", 25)
            _wipe_database()
        if manifest["engine"] == connection.vendor:
            _restore_native(staging / manifest["native"])
        else:
            _migrate_to(manifest["migrations"])
            _load_tables(staging / "tables", manifest, progress)
        progress("database restored", 70)
        problems = verify_database(manifest, progress)
        try:
            connection.check_constraints()
        except IntegrityError as error:
            problems.append(f"a foreign key does not hold: {error}")
        # The head file outside the database belongs to the data that was here (or to none):
        # the restored chain is checked on its own, then becomes the head.
        problems += [f"access log {p}" for p in verify_chain(anchored=False)]
        if problems:
            kept = _(" The data that was here is kept in %(path)s.") % {"path": safety}
            raise BackupError(
                _("The restored data does not match the backup: %(problems)s")
                % {"problems": "; ".join(problems)}
                + (kept if safety else "")
            )
        reanchor()
        call_command(
            "migrate", interactive=False, verbosity=0
        )  # an older backup is brought up to date
        store = _task_store()
        if store and (staging / "tasks.sqlite3").exists():
            _sqlite_copy(staging / "tasks.sqlite3", store)
        if (staging / "uploads").is_dir():
            shutil.copytree(staging / "uploads", settings.MEDIA_ROOT, dirs_exist_ok=True)
        progress("restore verified", 100)
        return RestoreResult(manifest, safety, AccessLog.objects.count())
