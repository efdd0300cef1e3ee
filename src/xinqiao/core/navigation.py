"""The navigation: each role sees only what it may use (the same rules.py permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqiao.core import two_factor


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None  # None: every fully signed-in person

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# Apps append their entries here from their AppConfig.ready().
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", None),
    NavItem(_("Schools"), "people:school_list", "people.view_school_list"),
    NavItem(_("Locked accounts"), "core:lockouts", "core.unlock_account"),
    NavItem(_("Security events"), "core:security_events", "core.view_security_events"),
]


def navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not two_factor.is_fully_signed_in(request):
        return []
    current = request.path
    items = []
    for item in NAV_ITEMS:
        if item.permission is None or user.has_perm(item.permission):
            url = item.url
            items.append({"label": item.label, "url": url, "active": current == url})
    return items
