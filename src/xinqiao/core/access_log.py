"""The access log: record reads of confidential material, and prove nobody changed the record.

Three things make a change evident, each checked by ``xinqiao verify-audit`` (and the last two,
cheaply, by /healthz):

- every row carries an HMAC of its content and of the previous row's code, keyed with the audit
  key (``settings.AUDIT_KEY_FILE``, beside the field keys, outside the database): someone with
  database access only cannot rewrite the chain after deleting or changing rows;
- the database refuses UPDATE, DELETE (and TRUNCATE) by trigger, and the triggers must be there;
- the newest head is also written, signed, to a file in the data directory
  (``settings.AUDIT_HEAD_FILE``): deleting the newest rows and the head row is detected.

The head file's rule: a writer advances it after its transaction commits, under a file lock,
and only forward. It is never ahead of a committed row (a rolled-back write does not advance
it); it is behind only by the rows whose writers are between their commit and the next line of
code (at most one per web thread, and none once writing pauses). verify-audit checks that the
row the head file names is in the log, unchanged, and that nothing before it is missing.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from xinqiao.core.models import AccessLog, AccessLogHead
from xinqiao.core.net import client_address

GENESIS_HASH = "0" * 64
TABLE = AccessLog._meta.db_table

_HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "school_id",
    "action",
    "object_type",
    "object_id",
    "basis",
    "ip",
    "path",
    "prev_hash",
)
# Hashed only when set: rows written before these columns existed verify unchanged.
_OPTIONAL_HASHED_FIELDS = ("student_id", "grant_id")


# --- the audit key --------------------------------------------------------------------------------
_key_lock = threading.Lock()
# The head file is forced to disk at most once a second per process: an fsync per read cost a
# quarter of the case page. A crash can then leave the file up to a second behind the log, which
# verification accepts (the file is only ever behind, never ahead); the rename keeps it whole.
ANCHOR_SYNC_SECONDS = 1.0
ANCHOR_RECORD_BYTES = 256  # JSON of seq, hash and MAC, padded: within one disk sector
_anchor_synced_at = 0.0
_key_cache: tuple[Path, bytes] | None = None


def ensure_audit_key(path: Path | None = None) -> bool:
    """Create the audit key file (0600) if it is missing. True when created.

    Several processes may need it at once: the file appears whole or not at all (written
    aside, then linked into place; the link fails when another process was first)."""
    path = path or Path(settings.AUDIT_KEY_FILE)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
    return True


def audit_key() -> bytes:
    """The key of the chain, created on first need."""
    global _key_cache
    path = Path(settings.AUDIT_KEY_FILE)
    with _key_lock:
        if _key_cache is None or _key_cache[0] != path:
            ensure_audit_key(path)
            key = bytes.fromhex(path.read_text(encoding="ascii").strip())
            _key_cache = (path, key)
        return _key_cache[1]


# --- the chain ------------------------------------------------------------------------------------
def _canonical(row: dict) -> bytes:
    values = {}
    for name in _HASHED_FIELDS:
        value = row[name]
        if name == "created_at":
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        values[name] = value
    for name in _OPTIONAL_HASHED_FIELDS:
        if row.get(name) is not None:
            values[name] = row[name]
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def compute_hash(row: dict) -> str:
    """The row's keyed code: its content and the previous row's code, under the audit key."""
    return hmac.new(audit_key(), _canonical(row), hashlib.sha256).hexdigest()


def plain_hash(row: dict) -> str:
    """The unkeyed SHA-256 the log was chained with before the audit key (migration 0004)."""
    return hashlib.sha256(_canonical(row)).hexdigest()


def record_access(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    school_id: int | None = None,
    basis: str = "",
    request=None,
    student_id: int | None = None,
    grant_id: int | None = None,
) -> AccessLog:
    """Append one row to the access log, chained to the previous one.

    Call it inside the same transaction as the read it records. Writers are serialised by the
    lock on the head row (PostgreSQL) or by SQLite's IMMEDIATE transactions. Inside a caller's
    transaction no savepoint is made: a failed write fails the caller's transaction too. The
    head file advances once the transaction commits.

    ``student_id`` (whose file the row concerns) is taken from ``obj`` when not given: its
    ``student_id``, or its own id when it is a student.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
        if school_id is None:
            school_id = getattr(obj, "school_id", None)
        if student_id is None:
            student_id = _student_of(obj)
    with transaction.atomic(savepoint=False):
        head, _ = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        row = {
            "seq": head.seq + 1,
            "created_at": timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "actor_username": getattr(actor, "username", "") or "",
            "school_id": school_id,
            "action": str(action),
            "object_type": object_type,
            "object_id": str(object_id),
            "basis": basis[:300],
            "ip": client_address(request),
            "path": (request.path[:300] if request is not None else ""),
            "prev_hash": head.row_hash,
            "student_id": student_id,
            "grant_id": grant_id,
        }
        row["row_hash"] = compute_hash(row)
        entry = AccessLog.objects.create(**row)
        head.seq, head.row_hash = entry.seq, entry.row_hash
        head.save(update_fields=["seq", "row_hash"])
        transaction.on_commit(lambda: write_anchor(entry.seq, entry.row_hash))
    return entry


def _student_of(obj: models.Model) -> int | None:
    if obj._meta.label == "people.Student":
        return obj.pk
    return getattr(obj, "student_id", None)


# --- the head file outside the database ---------------------------------------------------------
@dataclass(frozen=True)
class Anchor:
    seq: int
    row_hash: str


class AnchorInvalid(Exception):
    """The head file is there but unreadable or its signature does not match."""


def _anchor_mac(seq: int, row_hash: str) -> str:
    message = f"xinqiao-access-log-head:{seq}:{row_hash}".encode("ascii")
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def _lock(path: Path, kind: int) -> int:
    """A lock every process of the server shares, on the head file's lock file."""
    lock_fd = os.open(path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(lock_fd, kind)
    return lock_fd


def _read_anchor_file(path: Path) -> Anchor | None:
    try:
        data = json.loads(path.read_text(encoding="ascii"))
        anchor = Anchor(int(data["seq"]), str(data["row_hash"]))
        mac = str(data["mac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AnchorInvalid(f"the head file {path} cannot be read ({error})") from None
    if not hmac.compare_digest(mac, _anchor_mac(anchor.seq, anchor.row_hash)):
        raise AnchorInvalid(f"the head file {path} is not signed with the audit key")
    return anchor


def read_anchor() -> Anchor | None:
    """The signed head the file holds; None when there is no file yet."""
    path = Path(settings.AUDIT_HEAD_FILE)
    if not path.parent.is_dir():
        return None
    lock_fd = _lock(path, fcntl.LOCK_SH)
    try:
        return _read_anchor_file(path)
    finally:
        os.close(lock_fd)


def _sync_now_and_then(fd: int) -> None:
    global _anchor_synced_at
    now = time.monotonic()
    if now - _anchor_synced_at >= ANCHOR_SYNC_SECONDS:
        os.fsync(fd)
        _anchor_synced_at = now


def write_anchor(seq: int, row_hash: str, *, forward_only: bool = True) -> None:
    """Write the signed head in place, under the shared lock: one write of a fixed-size record
    within the file's first sector, which a crash cannot tear (a rename per write cost the case
    page a flush of its own)."""
    path = Path(settings.AUDIT_HEAD_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = _lock(path, fcntl.LOCK_EX)
    try:
        if forward_only:
            try:
                current = _read_anchor_file(path)
            except AnchorInvalid:
                return  # leave the evidence for verify-audit; never paper over it
            if current is not None and current.seq >= seq:
                return
        body = json.dumps({"seq": seq, "row_hash": row_hash, "mac": _anchor_mac(seq, row_hash)})
        record = body.ljust(ANCHOR_RECORD_BYTES).encode("ascii")
        assert len(record) == ANCHOR_RECORD_BYTES, "the head record outgrew its sector"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, record, 0)
            os.ftruncate(fd, ANCHOR_RECORD_BYTES)
            _sync_now_and_then(fd)
        finally:
            os.close(fd)
    finally:
        os.close(lock_fd)  # releases the lock


# --- verification ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditProblem:
    seq: int | None
    row_id: int | None
    message: str

    def __str__(self) -> str:
        if self.row_id:
            return f"row id {self.row_id} (seq {self.seq}): {self.message}"
        return f"seq {self.seq}: {self.message}" if self.seq is not None else self.message


@dataclass
class _Walk:
    """Where a walk of the chain ended: the next seq expected and the last code seen."""

    expected_seq: int = 1
    prev_hash: str = GENESIS_HASH
    rows: int = 0


def _walk(
    rows, hash_row: Callable[[dict], str], state: _Walk, anchor: Anchor | None = None
) -> Iterator[AuditProblem | dict]:
    """Check rows in seq order against the chain; yield each problem, and each good row."""
    for row in rows:
        state.rows += 1
        if row["seq"] != state.expected_seq:
            yield AuditProblem(
                state.expected_seq,
                None,
                f"rows with seq {state.expected_seq} to {row['seq'] - 1} are missing (deleted)",
            )
        if row["prev_hash"] != state.prev_hash:
            yield AuditProblem(row["seq"], row["id"], "does not link to the row before it")
        if not hmac.compare_digest(hash_row(row), row["row_hash"]):
            yield AuditProblem(row["seq"], row["id"], "content was changed after it was written")
        elif anchor is not None and row["seq"] == anchor.seq and row["row_hash"] != anchor.row_hash:
            yield AuditProblem(row["seq"], row["id"], "differs from the head file")
        yield row
        state.expected_seq, state.prev_hash = row["seq"] + 1, row["row_hash"]


def _rows(model=AccessLog, batch_size: int = 5000):
    return (
        model.objects.order_by("seq")
        .values("id", "row_hash", *_HASHED_FIELDS, *_OPTIONAL_HASHED_FIELDS)
        .iterator(chunk_size=batch_size)
    )


def _anchor_problems(anchor: Anchor | None, state: _Walk) -> list[AuditProblem]:
    head_file = settings.AUDIT_HEAD_FILE
    if anchor is None:
        if state.rows:
            return [AuditProblem(None, None, f"the head file {head_file} is missing")]
        return []
    if anchor.seq >= state.expected_seq:
        return [
            AuditProblem(
                state.expected_seq,
                None,
                f"the newest rows (seq {state.expected_seq} to {anchor.seq}) are missing "
                f"(deleted): the head file {head_file} records seq {anchor.seq}",
            )
        ]
    return []


def verify_chain(batch_size: int = 5000, *, anchored: bool = True) -> list[AuditProblem]:
    """Walk the whole log; every changed, inserted or deleted row is reported by its number, and
    so are missing guard triggers and a head file that does not match the log. ``anchored=False``
    leaves the head file out: a restore checks the restored log so, then re-anchors it."""
    problems: list[AuditProblem] = [
        AuditProblem(None, None, f"the append-only trigger {name} is missing or altered")
        for name in missing_triggers()
    ]
    anchor, anchor_invalid = None, None
    if anchored:
        try:
            anchor = read_anchor()
        except AnchorInvalid as invalid:
            anchor_invalid = AuditProblem(None, None, str(invalid))
    state, start_problem = _chain_start()
    if start_problem is not None:
        problems.append(start_problem)
    for item in _walk(_rows(batch_size=batch_size), compute_hash, state, anchor):
        if isinstance(item, AuditProblem):
            problems.append(item)
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and head.seq >= state.expected_seq:
        problems.append(
            AuditProblem(
                state.expected_seq,
                None,
                f"the newest rows (seq {state.expected_seq} to {head.seq}) are missing (deleted)",
            )
        )
    elif head is not None and head.seq and head.row_hash != state.prev_hash:
        problems.append(
            AuditProblem(head.seq, None, "the newest row differs from the recorded head")
        )
    if anchored:
        problems.extend([anchor_invalid] if anchor_invalid else _anchor_problems(anchor, state))
    return problems


# --- pruning the oldest rows after their retention period (core/retention.py) ----------------
def _start_mac(seq: int, prev_hash: str) -> str:
    message = f"xinqiao-access-log-start:{seq}:{prev_hash}".encode("ascii")
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def _chain_start() -> tuple[_Walk, AuditProblem | None]:
    """Where the walk begins: the first row, or the signed start the last pruning recorded.
    An unsigned or wrongly signed start is a problem, and the walk begins at the first row (so
    the deleted rows are reported too)."""
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is None or (head.first_seq == 1 and head.first_prev_hash == GENESIS_HASH):
        return _Walk(), None
    expected = _start_mac(head.first_seq, head.first_prev_hash)
    if not hmac.compare_digest(head.first_mac, expected):
        return _Walk(), AuditProblem(
            head.first_seq, None, "the recorded start of the log is not signed with the audit key"
        )
    return _Walk(expected_seq=head.first_seq, prev_hash=head.first_prev_hash), None


def prune_access_log(before) -> int:
    """Delete the oldest rows, up to the first one written at or after ``before`` (a
    datetime), and record the signed start of the rest, so the remaining chain still
    verifies. The newest row always stays (the head file names it). The caller's transaction holds the head row's lock, so no
    row is written meanwhile; the append-only triggers are lifted only inside it. Returns how
    many rows went."""
    with transaction.atomic():
        head, _ = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        young = (
            AccessLog.objects.filter(created_at__gte=before)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        upto = head.seq - 1 if young is None else min(young, head.seq) - 1
        last = (
            AccessLog.objects.filter(seq__lte=upto)
            .order_by("-seq")
            .values("seq", "row_hash")
            .first()
        )
        if last is None:
            return 0
        conn = transaction.get_connection()
        remove_triggers(conn)
        removed, _ = AccessLog.objects.filter(seq__lte=last["seq"]).delete()
        install_triggers(conn)
        head.first_seq, head.first_prev_hash = last["seq"] + 1, last["row_hash"]
        head.first_mac = _start_mac(head.first_seq, head.first_prev_hash)
        head.save(update_fields=["first_seq", "first_prev_hash", "first_mac"])
    return removed


def head_file_matches() -> bool:
    """The cheap check of /healthz: the guard triggers are there, and the row the head file
    names is in the log, unchanged (the whole chain is verify-audit's)."""
    if missing_triggers():
        return False
    try:
        anchor = read_anchor()
    except AnchorInvalid:
        return False
    if anchor is None:
        return not AccessLog.objects.exists()
    return AccessLog.objects.filter(seq=anchor.seq, row_hash=anchor.row_hash).exists()


def reanchor() -> Anchor | None:
    """Accept the database's newest row as the head (after restoring a backup, or when the
    head file was lost), once the chain itself verifies. Returns the new head."""
    last = AccessLog.objects.order_by("-seq").values("seq", "row_hash").first()
    if last is None:
        Path(settings.AUDIT_HEAD_FILE).unlink(missing_ok=True)
        return None
    write_anchor(last["seq"], last["row_hash"], forward_only=False)
    return Anchor(last["seq"], last["row_hash"])


def rechain_with_key(model=AccessLog, head_model=AccessLogHead, batch_size: int = 2000) -> int:
    """Migration 0004: the rows chained with plain SHA-256 are chained again with the audit key.

    The plain chain is checked first, row by row: a log that was already tampered with is not
    laundered into a valid keyed one (the migration stops and names the problem). Returns the
    number of rows re-chained."""
    conn = transaction.get_connection()
    remove_triggers(conn)
    old, new = _Walk(), GENESIS_HASH
    last_seq = 0
    while True:
        batch = list(
            model.objects.filter(seq__gt=last_seq)
            .order_by("seq")
            .values("id", "row_hash", *_HASHED_FIELDS)[:batch_size]
        )
        if not batch:
            break
        changed = []
        for item in _walk(batch, plain_hash, old):
            if isinstance(item, AuditProblem):
                raise RuntimeError(
                    f"The access log fails its check before re-chaining ({item}); investigate "
                    'before migrating (README.md, "The access log").'
                )
            row = dict(item, prev_hash=new)
            new = compute_hash(row)
            changed.append(model(id=row["id"], prev_hash=row["prev_hash"], row_hash=new))
        model.objects.bulk_update(changed, ["prev_hash", "row_hash"])
        last_seq = batch[-1]["seq"]
    install_triggers(conn)
    if old.rows:
        head_model.objects.filter(pk=1).update(seq=last_seq, row_hash=new)
        transaction.on_commit(lambda: write_anchor(last_seq, new, forward_only=False))
    return old.rows


# --- database triggers: the log is append-only -------------------------------------------------
def install_triggers(schema_editor_connection=None) -> None:
    conn = schema_editor_connection or connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for event in ("UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{event.lower()} "
                    f"BEFORE {event} ON {TABLE} "
                    f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END;"
                )
        elif conn.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{TABLE} is append-only'; END; $$ LANGUAGE plpgsql;"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only();"
            )


def remove_triggers(schema_editor_connection=None) -> None:
    """Only for tests that must empty the database, and for the migration's reverse."""
    conn = schema_editor_connection or connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for event in ("update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{event}")
        elif conn.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")


_EXPECTED_TRIGGERS = {
    "sqlite": (f"{TABLE}_no_update", f"{TABLE}_no_delete"),
    "postgresql": (f"{TABLE}_no_change", f"{TABLE}_no_truncate"),
}


def missing_triggers(conn=None) -> list[str]:
    """The append-only triggers that are not there, disabled, or no longer refuse."""
    conn = conn or connection
    expected = _EXPECTED_TRIGGERS.get(conn.vendor, ())
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                "AND sql LIKE %s",
                [TABLE, "%RAISE(ABORT%"],
            )
        elif conn.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal AND t.tgenabled <> 'D' "
                "AND p.proname = %s AND p.prosrc LIKE %s",
                [TABLE, f"{TABLE}_append_only", "%RAISE EXCEPTION%"],
            )
        else:
            return []
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]
