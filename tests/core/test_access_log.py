from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from xinqiao.core import access_log
from xinqiao.core.access_log import (
    install_triggers,
    plain_hash,
    read_anchor,
    record_access,
    remove_triggers,
    verify_chain,
)
from xinqiao.core.models import AccessLog, AccessLogHead

pytestmark = pytest.mark.django_db


def three_reads(actor, object_ids=(11, 12, 13)):
    # Each read commits, as on a server: the head file outside the database advances.
    with TestCase.captureOnCommitCallbacks(execute=True):
        for object_id in object_ids:
            record_access(
                actor=actor,
                action="read",
                object_type="cases.Note",
                object_id=object_id,
                school_id=1,
            )
    return list(AccessLog.objects.order_by("seq"))


def execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def set_head(seq: int, row_hash: str) -> None:
    execute("UPDATE core_accessloghead SET seq = %s, row_hash = %s", [seq, row_hash])


def test_an_intact_log_verifies(cast):
    three_reads(cast.director)
    assert verify_chain() == []
    call_command("verify_audit")


def test_the_database_refuses_to_change_or_delete_log_rows(cast):
    row = three_reads(cast.director)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(basis="nothing happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.get(pk=row.pk).basis == ""


def test_editing_a_row_by_hand_is_detected_and_the_row_named(cast):
    rows = three_reads(cast.director)
    remove_triggers()  # what someone with database access would do first
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_accesslog SET actor_username = 'someone_else' WHERE id = %s",
            [rows[1].pk],
        )
    install_triggers()  # and puts the guard back
    with pytest.raises(CommandError, match="tampered with") as failure:
        call_command("verify_audit")
    problems = verify_chain()
    assert [p.row_id for p in problems] == [rows[1].pk]
    assert f"row id {rows[1].pk}" in str(problems[0])
    assert "tampered" in str(failure.value)


def test_deleting_a_row_by_hand_is_detected_and_named(cast):
    rows = three_reads(cast.director)
    remove_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_accesslog WHERE id = %s", [rows[1].pk])
    problems = verify_chain()
    assert any(p.seq == rows[1].seq and "missing" in p.message for p in problems)


def test_deleting_the_newest_row_is_detected(cast):
    rows = three_reads(cast.director)
    remove_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_accesslog WHERE id = %s", [rows[-1].pk])
    problems = verify_chain()
    assert any(p.seq == rows[-1].seq for p in problems)


# The command closes the database connections when it ends, as it does on a server.
@pytest.mark.django_db(transaction=True)
def test_xinqiao_verify_audit_fails_and_names_the_edited_and_the_deleted_row(cast, capsys):
    """The console command an administrator runs (`xinqiao verify-audit`), after someone with
    database access edited the second row and deleted the fourth by hand."""
    from xinqiao.cli import main

    rows = three_reads(cast.director)
    record_access(
        actor=cast.director, action="read", object_type="cases.Note", object_id=14, school_id=1
    )
    fourth = AccessLog.objects.get(seq=4)
    main(["verify-audit"])
    assert "Access log intact: 4 rows verified." in capsys.readouterr().out
    remove_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_accesslog SET basis = 'nothing' WHERE id = %s", [rows[1].pk])
        cursor.execute("DELETE FROM core_accesslog WHERE id = %s", [fourth.pk])

    with pytest.raises(SystemExit, match=r"^1$") as exited:
        main(["verify-audit"])

    assert exited.value.code == 1
    report = capsys.readouterr().err
    assert f"row id {rows[1].pk} (seq 2): content was changed" in report
    assert "seq 4" in report and "missing (deleted)" in report
    assert f"row id {rows[0].pk} " not in report and f"row id {rows[2].pk} " not in report


# --- issue 12, item 5: the attacks of someone with database access --------------------------------
def test_deleting_the_newest_rows_and_updating_the_head_row_fails_verification(cast):
    rows = three_reads(cast.director)
    remove_triggers()
    execute("DELETE FROM core_accesslog WHERE seq >= 2")
    set_head(1, rows[0].row_hash)
    install_triggers()  # and put the guard back, so that only the head file can tell

    problems = verify_chain()

    assert [str(p) for p in problems] == [
        f"seq 2: the newest rows (seq 2 to 3) are missing (deleted): the head file "
        f"{settings.AUDIT_HEAD_FILE} records seq 3"
    ]
    with pytest.raises(CommandError, match="tampered with"):
        call_command("verify_audit")


def test_deleting_one_persons_rows_and_recomputing_the_plain_chain_fails_verification(cast):
    """The chain is keyed: a plain SHA-256 recomputed over what is left does not verify."""
    three_reads(cast.director)
    three_reads(cast.counselor, object_ids=(21, 22))
    three_reads(cast.director, object_ids=(14,))
    remove_triggers()
    execute("DELETE FROM core_accesslog WHERE actor_username = %s", [cast.counselor.username])
    prev = access_log.GENESIS_HASH
    rows = AccessLog.objects.order_by("seq").values("id", "row_hash", *access_log._HASHED_FIELDS)
    for seq, row in enumerate(list(rows), start=1):
        row.update(seq=seq, prev_hash=prev)
        prev = plain_hash(row)
        execute(
            "UPDATE core_accesslog SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
            [seq, row["prev_hash"], prev, row["id"]],
        )
    set_head(seq, prev)
    install_triggers()

    problems = verify_chain()

    assert {p.seq for p in problems if "content was changed" in p.message} == {1, 2, 3, 4}
    assert any("head file" in p.message for p in problems)


def test_deleting_every_row_and_the_head_fails_verification(cast):
    three_reads(cast.director)
    remove_triggers()
    execute("DELETE FROM core_accesslog")
    execute("DELETE FROM core_accessloghead")
    install_triggers()

    problems = verify_chain()

    assert [p.message for p in problems] == [
        f"the newest rows (seq 1 to 3) are missing (deleted): the head file "
        f"{settings.AUDIT_HEAD_FILE} records seq 3"
    ]


def test_verification_fails_when_the_append_only_triggers_are_missing(cast):
    three_reads(cast.director)
    remove_triggers()

    problems = verify_chain()

    assert problems and all("append-only trigger" in p.message for p in problems)
    assert len(problems) == 2  # both triggers, on SQLite and on PostgreSQL


def test_verification_fails_when_a_trigger_no_longer_refuses(cast):
    three_reads(cast.director)
    remove_triggers()
    if connection.vendor == "sqlite":
        execute(
            "CREATE TRIGGER core_accesslog_no_delete BEFORE DELETE ON core_accesslog "
            "BEGIN SELECT 1; END;"
        )
    else:
        execute(
            "CREATE OR REPLACE FUNCTION core_accesslog_append_only() RETURNS trigger AS $$ "
            "BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql;"
        )
        execute(
            "CREATE TRIGGER core_accesslog_no_change BEFORE UPDATE OR DELETE ON core_accesslog "
            "FOR EACH ROW EXECUTE FUNCTION core_accesslog_append_only();"
        )

    assert any("append-only trigger" in p.message for p in verify_chain())


def test_a_forged_head_file_fails_verification(cast):
    three_reads(cast.director)
    head_file = Path(settings.AUDIT_HEAD_FILE)
    head = json.loads(head_file.read_text())
    head_file.write_text(json.dumps(dict(head, seq=1)))

    assert any("not signed with the audit key" in p.message for p in verify_chain())


def test_healthz_answers_503_when_the_guard_or_the_newest_rows_are_gone(cast, client):
    rows = three_reads(cast.director)
    assert client.get("/healthz").json()["access_log"] == "ok"
    remove_triggers()
    assert client.get("/healthz").status_code == 503
    execute("DELETE FROM core_accesslog WHERE id = %s", [rows[-1].pk])
    install_triggers()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["access_log"] == "unavailable"


def test_the_head_file_only_moves_forward_and_not_for_a_rolled_back_write(cast):
    """Several server processes advance it; one that commits later with an older row (its
    callback ran after a newer writer's) must not move it back."""
    rows = three_reads(cast.director)
    access_log.write_anchor(rows[0].seq, rows[0].row_hash)
    assert read_anchor().seq == 3
    with (
        TestCase.captureOnCommitCallbacks(execute=True),
        transaction.atomic(),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record_access(actor=cast.director, action="read", object_type="cases.Note")
        raise RuntimeError("the read it records failed: both are rolled back")
    assert read_anchor().seq == 3
    assert verify_chain() == []


def test_the_audit_key_is_made_on_first_need_readable_by_its_owner_only(tmp_path, settings):
    settings.AUDIT_KEY_FILE = tmp_path / "keys" / "audit.key"
    key = access_log.audit_key()
    assert len(key) == 32 and stat.S_IMODE(settings.AUDIT_KEY_FILE.stat().st_mode) == 0o600
    assert not access_log.ensure_audit_key()  # never replaced
    assert access_log.audit_key() == key


def test_a_log_chained_before_the_audit_key_is_rechained_and_then_verifies(cast):
    """Migration 0006: a deployed school's log keeps verifying."""
    three_reads(cast.director)
    remove_triggers()
    prev = access_log.GENESIS_HASH
    for row in AccessLog.objects.order_by("seq").values("id", *access_log._HASHED_FIELDS):
        row["prev_hash"] = prev
        prev = plain_hash(row)
        execute(
            "UPDATE core_accesslog SET prev_hash = %s, row_hash = %s WHERE id = %s",
            [row["prev_hash"], prev, row["id"]],
        )
    set_head(3, prev)
    Path(settings.AUDIT_HEAD_FILE).unlink()
    install_triggers()
    assert verify_chain()  # the old, unkeyed chain no longer passes

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert access_log.rechain_with_key() == 3

    assert verify_chain() == []
    assert read_anchor().seq == 3 and AccessLogHead.objects.get().seq == 3


def test_rechaining_refuses_a_log_that_was_already_tampered_with(cast):
    rows = three_reads(cast.director)  # keyed codes: to the plain check, every row was changed
    with pytest.raises(RuntimeError, match="fails its check before re-chaining"):
        access_log.rechain_with_key()
    assert AccessLog.objects.get(pk=rows[0].pk).row_hash == rows[0].row_hash


def test_verify_audit_reanchors_after_a_backup_restore(cast):
    three_reads(cast.director)
    Path(settings.AUDIT_HEAD_FILE).unlink()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    call_command("verify_audit", "--reanchor")
    assert read_anchor().seq == 3
    call_command("verify_audit")


def test_rows_keep_who_what_when_and_from_where(cast, rf):
    request = rf.get("/cases/7/", REMOTE_ADDR="192.0.2.10")
    entry = record_access(
        actor=cast.counselor,
        action="read",
        object_type="cases.Case",
        object_id=7,
        school_id=cast.school.pk,
        basis="assigned counselor",
        request=request,
    )
    assert entry.actor_username == "counselor"
    assert entry.ip == "192.0.2.10"
    assert entry.path == "/cases/7/"
    assert entry.basis == "assigned counselor"
    assert entry.seq == 1


def test_the_student_and_the_grant_of_a_read_are_in_the_chain(cast):
    """Issue 16: rows carry whose file was read and under which grant; moving a read to another
    student or another grant by hand is detected, and rows without them verify as before."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        plain = record_access(actor=cast.director, action="read", object_type="cases.Note")
        granted = record_access(actor=cast.duty, action="read", obj=cast.student_record, grant_id=7)
    assert (plain.student_id, plain.grant_id) == (None, None)
    assert (granted.student_id, granted.grant_id) == (cast.student_record.pk, 7)
    assert verify_chain() == []
    remove_triggers()
    execute("UPDATE core_accesslog SET grant_id = 8 WHERE id = %s", [granted.pk])
    install_triggers()
    assert [p.row_id for p in verify_chain()] == [granted.pk]
