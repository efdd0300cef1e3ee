"""The key export takes the field keys and the access-log key from wherever the settings put
them (XINQIAO_KEY_FILE may point outside keys/) and brings them back to wherever the new
machine's settings put them."""

from __future__ import annotations

import pytest

from xinqiao.core import crypto, key_export
from xinqiao.core.backup import BackupError

PASSPHRASE = "a passphrase of four words"


@pytest.fixture
def machine(settings, tmp_path):
    """Point the settings at one machine's folders; the keys cached by crypto are dropped after."""

    def place(name: str, key_folder: str, key_name: str = "fields.keys"):
        settings.DATA_DIR = tmp_path / name
        settings.KEY_FILE = tmp_path / key_folder / key_name
        settings.AUDIT_KEY_FILE = tmp_path / key_folder / "audit.key"
        return settings.DATA_DIR / "keys"

    yield place
    crypto.reset()


def test_field_keys_kept_outside_keys_are_exported_and_imported_where_the_settings_say(
    machine, settings, tmp_path
):
    keys = machine("old", "etc-xinqiao")
    keys.mkdir(parents=True)
    (keys / "backup.key").write_bytes(b"backup key")
    (keys / "fields.keys").write_bytes(b"a stale copy nobody reads")
    settings.KEY_FILE.parent.mkdir()
    settings.KEY_FILE.write_bytes(b"the field keys in use")
    settings.AUDIT_KEY_FILE.write_bytes(b"the access-log key")
    export = tmp_path / "keys.txt"
    assert key_export.keys_export(PASSPHRASE, export) == ["audit.key", "backup.key", "fields.keys"]

    new_keys = machine("new", "srv-keys", "school.keys")
    assert key_export.keys_import(PASSPHRASE, export) == ["audit.key", "backup.key", "fields.keys"]
    assert settings.KEY_FILE.read_bytes() == b"the field keys in use"
    assert settings.AUDIT_KEY_FILE.read_bytes() == b"the access-log key"
    assert (new_keys / "backup.key").read_bytes() == b"backup key"
    assert not (new_keys / "fields.keys").exists()
    assert settings.KEY_FILE.stat().st_mode & 0o777 == 0o600


def test_an_import_over_different_field_keys_kept_elsewhere_needs_force(
    machine, settings, tmp_path
):
    machine("old", "etc-xinqiao")
    settings.KEY_FILE.parent.mkdir()
    settings.KEY_FILE.write_bytes(b"the field keys in use")
    export = tmp_path / "keys.txt"
    key_export.keys_export(PASSPHRASE, export)

    machine("new", "srv-keys")
    settings.KEY_FILE.parent.mkdir()
    settings.KEY_FILE.write_bytes(b"other keys with data of their own")
    with pytest.raises(BackupError, match="srv-keys"):
        key_export.keys_import(PASSPHRASE, export)
    assert settings.KEY_FILE.read_bytes() == b"other keys with data of their own"
    key_export.keys_import(PASSPHRASE, export, force=True)
    assert settings.KEY_FILE.read_bytes() == b"the field keys in use"
