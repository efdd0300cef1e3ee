"""The data directory is the owner's alone (issue 12 item 13): the database, the task store,
the keys, uploads and backups hold children's most private troubles.

``xinqiao init`` makes the directory tree 0700 and its files 0600; every ``xinqiao`` command
runs with umask 077, so files created later (SQLite's journal, the task store, uploads,
backups) are born that way; ``xinqiao serve`` refuses to start while anything there is open to
the group or to others.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def _entries(data_dir: Path):
    """The data directory and everything under it, symbolic links left alone."""
    yield data_dir
    for root, dirs, files in os.walk(data_dir):
        for name in [*dirs, *files]:
            path = Path(root) / name
            if not path.is_symlink():
                yield path


def make_private(data_dir: Path) -> None:
    for path in _entries(data_dir):
        path.chmod(DIRECTORY_MODE if path.is_dir() else FILE_MODE)


def open_to_others(data_dir: Path) -> list[Path]:
    """What in the data directory the group or others may read, write or enter."""
    return [
        path
        for path in _entries(data_dir)
        if stat.S_IMODE(path.lstat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO)
    ]
