"""The access sweep (STYLE.md 5): every named URL and API route, every role, allow or deny.

Each app's tests define ``ROUTES`` in ``tests/<app>/access_table.py``; the sweep fails when a
URL or API route exists that no table names, so a new route cannot forget its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xinqiao.core.roles import PUPIL_AND_FAMILY_ROLES, Role

ALL_ROLES = frozenset(role.value for role in Role)
STAFF = ALL_ROLES - {r.value for r in PUPIL_AND_FAMILY_ROLES}
EVERYONE = ALL_ROLES
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Route:
    """``allowed`` roles get ``ok`` statuses; other roles get 403/404; anonymous is sent to sign in."""

    name: str  # URL name ("core:home") or API path ("GET /api/me")
    allowed: frozenset[str]
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: dict = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)
    public: bool = False  # anonymous allowed too
    # Case or note material (issue 5): a duty person who is refused it is recorded in the
    # access log as "denied", under the path they asked for.
    confidential: bool = False
