"""The key files in one passphrase-protected file, for a USB stick or a printout.

Every file of the data directory's keys/ folder is exported (field keys, backup key, secret key and
any key added later), so the folder is treated generically; the field keys and the access-log key
are taken from wherever the settings put them (XINQIAO_KEY_FILE, XINQIAO_AUDIT_KEY_FILE may point
outside keys/) and brought back to wherever the importing machine's settings put them. The passphrase is stretched with scrypt;
the content is sealed with AES-GCM. The file is plain text (base64) so it can be printed.
"""

from __future__ import annotations

import base64
import json
import os
import textwrap
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core import crypto
from xinqiao.core.backup import BackupError, keys_dir, write_private_file

MAGIC = "XINQIAO-KEYS-1"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MIN_PASSPHRASE = 12


def _derive(passphrase: str, salt: bytes, params: dict) -> bytes:
    return Scrypt(salt=salt, length=32, **params).derive(passphrase.encode("utf-8"))


def placed_key_files() -> dict[str, Path]:
    """The key files whose place the settings choose, by the name they have in an export."""
    return {"fields.keys": crypto.key_file(), "audit.key": Path(settings.AUDIT_KEY_FILE)}


def _destination(name: str) -> Path:
    return placed_key_files().get(name) or keys_dir() / name


def key_files() -> dict[str, bytes]:
    """Every key file by its name in an export: keys/ and the placed files wherever they are."""
    folder = keys_dir()
    files = (
        {
            p.name: p.read_bytes()
            for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith(".tmp")
        }
        if folder.is_dir()
        else {}
    )
    for name, path in placed_key_files().items():
        if path.is_file():
            files[name] = path.read_bytes()  # the configured file, not a stray one in keys/
        else:
            files.pop(name, None)
    return dict(sorted(files.items()))


def keys_export(passphrase: str, out: Path) -> list[str]:
    """Write the export file; returns the names of the key files it holds."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(
            _("The passphrase must have at least %(count)s characters.") % {"count": MIN_PASSPHRASE}
        )
    files = key_files()
    if not files:
        raise BackupError(
            _("There are no key files in %(path)s; run `xinqiao init` first.")
            % {"path": keys_dir()}
        )
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps({"kdf": "scrypt", **SCRYPT, "salt": salt.hex(), "nonce": nonce.hex()})
    content = json.dumps(
        {
            "created_at": timezone.now().isoformat(),
            "files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()},
        }
    ).encode()
    sealed = AESGCM(_derive(passphrase, salt, SCRYPT)).encrypt(
        nonce, content, (MAGIC + header).encode()
    )
    body = "\n".join(textwrap.wrap(base64.b64encode(sealed).decode("ascii"), 76))
    write_private_file(out, f"{MAGIC}\n{header}\n{body}\n".encode("ascii"))
    return list(files)


def read_export(passphrase: str, path: Path) -> dict[str, bytes]:
    lines = path.read_text(encoding="ascii").splitlines()
    if not lines or lines[0] != MAGIC:
        raise BackupError(_("%(path)s is not a Xinqiao key export.") % {"path": path})
    header = json.loads(lines[1])
    params = {name: header[name] for name in SCRYPT}
    sealed = base64.b64decode("".join(lines[2:]))
    try:
        content = AESGCM(_derive(passphrase, bytes.fromhex(header["salt"]), params)).decrypt(
            bytes.fromhex(header["nonce"]), sealed, (MAGIC + lines[1]).encode()
        )
    except InvalidTag:
        raise BackupError(_("Wrong passphrase, or the key export file was changed.")) from None
    files = json.loads(content)["files"]
    return {name: base64.b64decode(data) for name, data in files.items()}


def keys_import(passphrase: str, path: Path, *, force: bool = False) -> list[str]:
    """Write the exported key files into keys/ (0600), the field keys and the access-log key
    where this machine's settings put them. A different key file already there is replaced only
    with ``force``: the data it encrypts would become unreadable."""
    files = read_export(passphrase, path)
    if any(Path(name).name != name or name.startswith(".") for name in files):
        raise BackupError(_("The key export holds a file name that is not allowed."))
    clashing = [
        str(_destination(name))
        for name, data in files.items()
        if _destination(name).exists() and _destination(name).read_bytes() != data
    ]
    if clashing and not force:
        raise BackupError(
            _(
                "Different key files are already here (%(paths)s). Import into a new data "
                "directory, or add --force to replace them (data encrypted with the keys there "
                "now would become unreadable)."
            )
            % {"paths": ", ".join(clashing)}
        )
    keys_dir().mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir(), 0o700)
    for name, data in files.items():
        write_private_file(_destination(name), data)
    crypto.reset()
    return sorted(files)
