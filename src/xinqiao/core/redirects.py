"""Where to go after a step: a ``next`` sent by the browser is followed only within this site."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, url: str | None) -> str | None:
    """``url`` when it leads to this site (``/cases/``), else None: ``//evil.example``,
    ``https://evil.example/`` and ``/\\evil.example`` are refused, as Django's own sign-in
    refuses them."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None
