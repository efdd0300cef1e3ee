"""Field-encryption keys, kept in a file outside the database.

The key file holds one Fernet key per line; the first line encrypts, every line decrypts, so
keys can be rotated without downtime (``xinqiao rotate-keys``). The file is created by
``xinqiao init`` with permissions 0600.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_lock = threading.Lock()
_cached: tuple[Path, float, MultiFernet] | None = None


def key_file() -> Path:
    return Path(settings.KEY_FILE)


def read_keys(path: Path | None = None) -> list[bytes]:
    path = path or key_file()
    if not path.exists():
        raise ImproperlyConfigured(
            f"The encryption key file {path} is missing. Run `xinqiao init` to create it."
        )
    lines = path.read_text(encoding="ascii").splitlines()
    keys = [line.strip().encode() for line in lines if line.strip() and not line.startswith("#")]
    if not keys:
        raise ImproperlyConfigured(f"The encryption key file {path} holds no key.")
    return keys


def write_keys(keys: list[bytes], path: Path | None = None) -> None:
    """Write the key file atomically, readable by its owner only."""
    path = path or key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("# Xinqiao field-encryption keys: first line encrypts. Keep a safe copy.\n")
        handle.writelines(key.decode() + "\n" for key in keys)
    os.replace(tmp, path)
    os.chmod(path, 0o600)
    reset()


def ensure_key_file(path: Path | None = None) -> bool:
    """Create the key file with one new key if it is missing. True when created."""
    path = path or key_file()
    if path.exists():
        return False
    write_keys([Fernet.generate_key()], path)
    return True


def reset() -> None:
    global _cached
    with _lock:
        _cached = None


def _fernet(*, fresh: bool = True) -> MultiFernet:
    """The keys of the key file. ``fresh`` looks at the file first (the keys may have been
    rotated by another process); without it the keys in memory serve as long as they work."""
    global _cached
    path = key_file()
    with _lock:
        if not fresh and _cached is not None and _cached[0] == path:
            return _cached[2]
        mtime = path.stat().st_mtime if path.exists() else 0.0
        if _cached is None or _cached[0] != path or _cached[1] != mtime:
            _cached = (path, mtime, MultiFernet([Fernet(k) for k in read_keys(path)]))
        return _cached[2]


def encrypt(plaintext: str) -> str:
    # Always with the file's current first key: a rotation elsewhere takes effect at once.
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt with the keys in memory; only a value they cannot open (written with a key
    added since) makes us read the key file again. A page of a thousand notes reads it once."""
    data = token.encode("ascii")
    try:
        return _fernet(fresh=False).decrypt(data).decode("utf-8")
    except InvalidToken:
        pass
    try:
        return _fernet().decrypt(data).decode("utf-8")
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with the keys in the key file."
        ) from None
