"""The key export takes the field keys and the access-log key from wherever the settings put
them (XINQIAO_KEY_FILE may point outside keys/) and brings them back to wherever the new
machine's settings put them; the commands speak the shell's language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xinqiao.core import crypto, key_export
from xinqiao.core.backup import BackupError

PASSPHRASE = "a passphrase of four words"
ROOT = Path(__file__).resolve().parents[2]


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


def command(tmp_path, *args, **env_vars) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"LC_ALL", "LC_MESSAGES"}}
    env.update(
        XINQIAO_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        **env_vars,
    )
    return subprocess.run(
        [sys.executable, "-m", "xinqiao.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("C.UTF-8", "处没有密钥导出文件"),
        ("zh_CN.UTF-8", "处没有密钥导出文件"),
        ("en_US.UTF-8", "No key export at"),
    ],
)
def test_the_command_answers_in_the_shells_language_and_chinese_by_default(tmp_path, lang, said):
    done = command(tmp_path, "keys", "import", str(tmp_path / "missing.txt"), LANG=lang)
    assert done.returncode != 0 and said in done.stderr


def test_a_new_production_machine_without_keys_may_import_them_but_not_back_up(tmp_path):
    production = {"XINQIAO_PROFILE": "production", "XINQIAO_ALLOWED_HOSTS": "x", "LANG": "en"}
    done = command(tmp_path, "keys", "import", str(tmp_path / "missing.txt"), **production)
    assert "No key export at" in done.stderr  # not stopped by the missing secret key
    refused = command(tmp_path, "backup", **production)
    assert refused.returncode != 0 and "XINQIAO_SECRET_KEY" in refused.stderr


def test_a_restore_refusal_reads_in_chinese(tmp_path):
    not_a_backup = tmp_path / "photo.xqbak"
    not_a_backup.write_bytes(b"JPEG")
    done = command(tmp_path, "restore", str(not_a_backup), LANG="zh_CN.UTF-8")
    assert done.returncode != 0 and "不是心桥的备份文件" in done.stderr
