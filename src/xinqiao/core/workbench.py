"""The workbench (工作台, issue 17): what waits for each role, as tiles on the home page.

Each app registers its tiles in its ``AppConfig.ready`` (core imports none of them, DESIGN.md
layers). A tile is a count that links to the list behind it, and the count is taken from the
same selector that list uses, through the app's scoped querysets: a tile shows only what the
person may see there, and a count never says more than the list would (a class teacher's tile
counts the measures asked of them, never why a student is supported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from xinqiao.core.workbench_cache import cached_counts


@dataclass(frozen=True)
class Tile:
    key: str
    title: str | Promise
    icon: str  # a vendored Lucide icon ({% icon %})
    url_name: str
    # How many things wait behind the tile, for the person signed in, in the school of the
    # role (None for a role that holds no school, as the administrator's).
    count: Callable[..., int | float | None]
    order: int = 100
    # The list's filter the count is taken with ("state=open"), or a function making it when
    # it changes with the day ("day=2026-12-04").
    query: str | Callable[[], str] = ""
    # A figure to watch (leadership's hours, minutes), not things waiting: never highlighted
    # as busy; None shows as "–".
    figure: bool = False
    # Counted on every load: the count changes with the clock, not only with the data (a lock
    # that ends, a questionnaire's window that opens), and somebody waits on it. The others are
    # kept between loads until anything is written (core/workbench_cache.py).
    live: bool = False


_tiles: dict[str, list[Tile]] = {}


def register_tile(roles: Iterable[str], tile: Tile) -> None:
    for role in roles:
        tiles = _tiles.setdefault(role, [])
        if all(existing.key != tile.key for existing in tiles):
            tiles.append(tile)
            tiles.sort(key=lambda t: (t.order, t.key))


def tiles_for(user, role: str, school_id: int | None) -> list[dict]:
    """The tiles of ``role`` for ``user`` with their counts, in order."""
    tiles = _tiles.get(role, ())
    kept = cached_counts(
        f"{user.pk}:{role}:{school_id}:{timezone.localdate().isoformat()}",
        lambda: {tile.key: tile.count(user, school_id) for tile in tiles if not tile.live},
    )
    return [
        {
            "key": tile.key,
            "title": tile.title,
            "icon": tile.icon,
            "url": _url(tile),
            "count": tile.count(user, school_id) if tile.live else kept[tile.key],
            "figure": tile.figure,
        }
        for tile in tiles
    ]


def _url(tile: Tile) -> str:
    query = tile.query() if callable(tile.query) else tile.query
    return reverse(tile.url_name) + (f"?{query}" if query else "")


def once_a_page(user, key: tuple, compute: Callable[[], object]):
    """``compute()`` taken once for the page's tiles: kept on the request's user (as rules.py
    keeps its per-object answers), for figures that several tiles or cards show."""
    memo = user.__dict__.setdefault("_workbench_page", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def registered_tiles(role: str) -> list[Tile]:
    return list(_tiles.get(role, ()))
