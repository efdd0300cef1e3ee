"""The access sweep (STYLE.md 5): every named URL and API route, every role, allow or deny.

Each app's tests define ``ROUTES`` in ``tests/<app>/access_table.py``; the sweep fails when a
URL or API route exists that no table names, so a new route cannot forget its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xinqiao.core.roles import PUPIL_AND_FAMILY_ROLES, Role

ALL_ROLES = frozenset(role.value for role in Role)
# Beyond one person per role (STYLE.md 6, issue 11): a counselor of the school who holds none
# of the sweep's cases, and the director and a counselor of another school; each named with
# the role whose rights they would have on their own school's material.
EXTRA_CAST = {
    "second_counselor": Role.COUNSELOR.value,
    "foreign_director": Role.DIRECTOR.value,
    "foreign_counselor": Role.COUNSELOR.value,
}
FOREIGN = frozenset({"foreign_director", "foreign_counselor"})
ALL_EXTRAS = frozenset(EXTRA_CAST)
# For routes whose objects every counselor of the school works with (alerts, the directory).
SECOND_COUNSELOR = frozenset({"second_counselor"})
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
    # access log as "denied", under the path they asked for; the extra cast is answered "not
    # found" and recorded too.
    confidential: bool = False
    # Which of EXTRA_CAST may; None: derived by ``allows`` from the route and the base role.
    extras: frozenset[str] | None = None
    # What the allowed extra cast gets where it differs from ``ok`` (another school's page).
    extras_ok: tuple[int, ...] | None = None

    def allows(self, who: str) -> bool:
        """Whether ``who`` (a role or one of EXTRA_CAST) gets an ``ok`` status.

        The extra cast takes its base role's answer where the route names no object (a list,
        a form); another school's staff are refused every object of this school; the second
        counselor is refused confidential objects (the cases are the first counselor's) and
        takes the counselor's answer for the school's other objects.
        """
        if who not in EXTRA_CAST:
            return who in self.allowed
        if self.extras is not None:
            return who in self.extras
        if EXTRA_CAST[who] not in self.allowed:
            return False
        if not self.kwargs:
            return True
        if who in FOREIGN:
            return False
        return not self.confidential
