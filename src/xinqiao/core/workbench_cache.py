"""The workbench's counts kept between page loads, and dropped by any write (issue 17).

A workbench counts rows of a dozen tables through the access kernel; building those queries is
most of its cost. The counts are kept in the cache under a *generation*, a token that every
committed write replaces, so a count is served again only while nothing at all was written since
it was taken: never a count older than the data. Writes are seen where every write goes, the
database connection (``execute_wrapper``), so a save, a queryset ``update``, a bulk insert, raw
SQL, a task and a management command all count, without each service having to say so. Only the
tables no tile counts and every page writes are left out: the access log and its head, sessions.

Replacing the token on every commit would cost a cache write per write (the folder cache lists its
folder on each write), so a writer replaces it only when somebody cached counts under it. That
mark is set *before* the counts are taken: a writer that finds no mark either committed before
the counts were taken (which then include its write) or finds the mark and replaces the token.

Counts are kept at most ``WORKBENCH_KEEP_SECONDS`` (0: not kept), and tiles that change with
the clock rather than with the data (a lock that ends, a window that opens) are marked ``live``
and counted on each load.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "workbench:generation"
# Tables written on pages that only read: a write there changes no tile.
UNCOUNTED_TABLES = frozenset({"core_accesslog", "core_accessloghead", "django_session"})
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


def _marked_key(generation: str) -> str:
    return f"workbench:cached-under:{generation}"


def generation() -> str:
    """The current token (a new one when the cache lost it: what was kept under the old is
    then never read again)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        token = cache.get(GENERATION_KEY)
    return token


def cached_counts(key: str, count: Callable[[], dict]) -> dict:
    """``count()``, or what it returned under this generation (``key`` names whose counts)."""
    keep = settings.WORKBENCH_KEEP_SECONDS
    if not keep:
        return count()
    token = generation()
    entry_key = f"workbench:{token}:{key}"
    counts = cache.get(entry_key)
    if counts is None:
        # Marked for longer than the counts are kept: while any are, a writer sees the mark.
        cache.set(_marked_key(token), True, 2 * keep)
        counts = count()
        cache.set(entry_key, counts, keep)
    return counts


def data_changed() -> None:
    """After a commit that wrote rows: counts taken before it are not served again."""
    token = cache.get(GENERATION_KEY)
    if token is None or cache.get(_marked_key(token)):
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _written_table(sql: str) -> str | None:
    head = sql[:16].lstrip()[:6].upper()
    if not head.startswith(WRITES):
        return None
    # INSERT INTO "t" / UPDATE "t" / DELETE FROM "t" / REPLACE INTO "t"
    words = sql.split(None, 3)
    name = words[2] if head in ("INSERT", "DELETE", "REPLAC") else words[1]
    return name.strip('"`')


def watch_writes(execute, sql, params, many, context):
    """Database execute wrapper: a committed write of a counted table drops the kept counts."""
    result = execute(sql, params, many, context)
    table = _written_table(sql) if isinstance(sql, str) else None
    if table is not None and table not in UNCOUNTED_TABLES:
        connection = context["connection"]
        if not connection.in_atomic_block or any(
            block._from_testcase for block in connection.atomic_blocks
        ):
            # Committed already, or inside a test's block, which is never committed.
            data_changed()
        elif all(callback is not data_changed for _, callback, _ in connection.run_on_commit):
            transaction.on_commit(data_changed, using=connection.alias)
    return result


def install(sender, connection, **kwargs) -> None:
    """On each new database connection (``connection_created``)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)
