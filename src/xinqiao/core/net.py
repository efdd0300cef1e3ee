"""The client's address: the one helper every record of it uses (issue 12 item 19).

The access log, security events, the change history (django-auditlog) and the lockout
(django-axes) all ask ``client_address(request)``. ``X-Forwarded-For`` is believed only from a
proxy named in ``XINQIAO_TRUSTED_PROXIES``: anyone else could write any address into it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(value: str) -> Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address: Address | None) -> bool:
    return address is not None and any(address in net for net in settings.TRUSTED_PROXIES)


def client_address(request) -> str | None:
    """``REMOTE_ADDR``; when that is a trusted proxy, the address the request came from
    before it: ``X-Forwarded-For`` read from the right, past the trusted proxies, up to the
    first address they did not vouch for (a value that is no address ends the walk)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    if not _is_trusted(_parse(address or "")):
        return address
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            break
        address = str(parsed)
        if not _is_trusted(parsed):
            break
    return address
