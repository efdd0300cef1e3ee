"""The access log: record reads of confidential material, and prove nobody changed the record."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

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


def _canonical(row: dict) -> bytes:
    values = {}
    for name in _HASHED_FIELDS:
        value = row[name]
        if name == "created_at":
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        values[name] = value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def compute_hash(row: dict) -> str:
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
) -> AccessLog:
    """Append one row to the access log, chained to the previous one.

    Call it inside the same transaction as the read it records. Writers are serialised by the
    lock on the head row (PostgreSQL) or by SQLite's IMMEDIATE transactions. Inside a caller's
    transaction no savepoint is made: a failed write fails the caller's transaction too.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
        if school_id is None:
            school_id = getattr(obj, "school_id", None)
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
        }
        row["row_hash"] = compute_hash(row)
        entry = AccessLog.objects.create(**row)
        head.seq, head.row_hash = entry.seq, entry.row_hash
        head.save(update_fields=["seq", "row_hash"])
    return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int | None
    row_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"row id {self.row_id} (seq {self.seq})" if self.row_id else f"seq {self.seq}"
        return f"{where}: {self.message}"


def verify_chain(batch_size: int = 5000) -> list[AuditProblem]:
    """Walk the whole log; every changed, inserted or deleted row is reported by its number."""
    problems: list[AuditProblem] = []
    expected_seq, prev_hash = 1, GENESIS_HASH
    rows = AccessLog.objects.order_by("seq").values("id", "row_hash", *_HASHED_FIELDS)
    for row in rows.iterator(chunk_size=batch_size):
        if row["seq"] != expected_seq:
            problems.append(
                AuditProblem(
                    expected_seq,
                    None,
                    f"rows with seq {expected_seq} to {row['seq'] - 1} are missing (deleted)",
                )
            )
        if row["prev_hash"] != prev_hash:
            problems.append(
                AuditProblem(row["seq"], row["id"], "does not link to the row before it")
            )
        if compute_hash(row) != row["row_hash"]:
            problems.append(
                AuditProblem(row["seq"], row["id"], "content was changed after it was written")
            )
        expected_seq, prev_hash = row["seq"] + 1, row["row_hash"]
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and head.seq >= expected_seq:
        problems.append(
            AuditProblem(
                expected_seq,
                None,
                f"the newest rows (seq {expected_seq} to {head.seq}) are missing (deleted)",
            )
        )
    elif head is not None and head.seq and head.row_hash != prev_hash:
        problems.append(
            AuditProblem(head.seq, None, "the newest row differs from the recorded head")
        )
    return problems


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
