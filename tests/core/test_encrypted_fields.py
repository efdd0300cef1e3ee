from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from tests.testapp.models import SecretNote
from xinqiao.core import crypto

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "这名学生说家里最近很不好过 — confidential-marker-7731"


def database_bytes() -> bytes:
    """Everything the database holds on disk (SQLite file + WAL) or in its rows (PostgreSQL)."""
    if connection.vendor == "sqlite":
        path = connection.settings_dict["NAME"]
        if path == ":memory:" or "mode=memory" in str(path):
            pytest.skip("the test database lives in memory")
        connection.close()
        data = b""
        for suffix in ("", "-wal"):
            try:
                with open(f"{path}{suffix}", "rb") as handle:
                    data += handle.read()
            except FileNotFoundError:
                pass
        return data
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM testapp_secretnote")
        return "\n".join(row[0] for row in cursor.fetchall()).encode()


def test_note_in_an_encrypted_field_is_not_stored_as_plain_text(school):
    SecretNote.objects.create(school=school, title="t", body=NOTE)
    stored = database_bytes()
    assert NOTE.encode() not in stored
    assert b"confidential-marker-7731" not in stored
    assert SecretNote.objects.get().body == NOTE


def test_rotate_keys_keeps_notes_readable_and_retires_the_old_key(school):
    note = SecretNote.objects.create(school=school, title="t", body=NOTE)
    old_keys = crypto.read_keys()
    call_command("rotate_keys")
    new_keys = crypto.read_keys()
    assert len(new_keys) == 1
    assert new_keys[0] not in old_keys
    assert SecretNote.objects.get(pk=note.pk).body == NOTE
    # The stored token now opens with the new key alone.
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM testapp_secretnote WHERE id = %s", [note.pk])
        token = cursor.fetchone()[0]
    from cryptography.fernet import Fernet

    assert Fernet(new_keys[0]).decrypt(token.encode()).decode() == NOTE


def test_key_file_is_readable_by_its_owner_only():
    mode = crypto.key_file().stat().st_mode & 0o777
    assert mode == 0o600


def test_encrypted_text_cannot_be_searched(school):
    with pytest.raises(FieldError, match="cannot be searched"):
        list(SecretNote.objects.filter(body__icontains="家里"))


def test_the_change_history_does_not_copy_encrypted_text(school):
    from auditlog.models import LogEntry

    from xinqiao.core.history import track

    track(SecretNote)
    try:
        note = SecretNote.objects.create(school=school, title="t", body=NOTE)
        note.body = NOTE + " more"
        note.title = "renamed"
        note.save()
        entries = LogEntry.objects.get_for_object(note)
        assert entries.count() == 2
        assert all("confidential-marker" not in str(entry.changes) for entry in entries)
    finally:
        from auditlog.registry import auditlog

        auditlog.unregister(SecretNote)
    assert settings.KEY_FILE


def test_a_key_added_by_another_process_is_picked_up_when_a_value_needs_it():
    """Values are decrypted with the keys in memory; a value written with a key that another
    process (``xinqiao rotate-keys``) has since put first makes us read the key file again."""
    from cryptography.fernet import Fernet

    old = crypto.read_keys()
    assert crypto.decrypt(crypto.encrypt("before")) == "before"  # the keys are now in memory
    new = Fernet.generate_key()
    path = crypto.key_file()
    # Written as another process would: this process is not told (no crypto.reset()).
    path.write_text("\n".join(k.decode() for k in [new, *old]) + "\n", encoding="ascii")
    try:
        token = Fernet(new).encrypt(b"after").decode()
        assert crypto.decrypt(token) == "after"
        assert Fernet(new).decrypt(crypto.encrypt("next").encode()) == b"next"
    finally:
        crypto.write_keys(old)
