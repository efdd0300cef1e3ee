"""What each role's card on the home page leads to: the apps register it in their
``AppConfig.ready`` (core imports none of them, DESIGN.md layers), e.g. the crisis app sends the
committee member to this week's report that the card promises."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class RoleLink:
    label: str | Promise
    url_name: str


_links: dict[str, list[RoleLink]] = {}


def register_role_link(role: str, label: str | Promise, url_name: str) -> None:
    links = _links.setdefault(role, [])
    if all(link.url_name != url_name for link in links):
        links.append(RoleLink(label, url_name))


def role_links(role: str) -> list[RoleLink]:
    return list(_links.get(role, ()))
