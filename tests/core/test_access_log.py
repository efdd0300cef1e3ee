from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from xinqiao.core.access_log import record_access, remove_triggers, verify_chain
from xinqiao.core.models import AccessLog

pytestmark = pytest.mark.django_db


def three_reads(actor):
    for object_id in (11, 12, 13):
        record_access(
            actor=actor, action="read", object_type="cases.Note", object_id=object_id, school_id=1
        )
    return list(AccessLog.objects.order_by("seq"))


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
