"""Shared pieces of the demo school: its password, its two-factor key, the log-in sheet."""

from __future__ import annotations

import os
from base64 import b32encode
from dataclasses import dataclass, field

DEMO_PASSWORD = "xinqiao-demo-2026"  # noqa: S105 (documented in the README)
# The RFC 6238 test key: add it to any authenticator app, or run `xinqiao demo-code USER`.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_KEY_BASE32 = b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()


@dataclass
class DemoContext:
    """What one app's demo builder hands to the next (the school, people by role, ...)."""

    objects: dict[str, object] = field(default_factory=dict)


def print_logins(out) -> None:
    from xinqiao.core.models import User
    from xinqiao.core.roles import Role
    from xinqiao.core.two_factor import requires_second_factor

    out.write("")
    out.write(f"Demo log-ins (password for all: {DEMO_PASSWORD})")
    out.write(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
    for role in Role:
        user = User.objects.filter(username=role.value).first()
        if user is None:
            continue
        note = ""
        if requires_second_factor(user):
            note = (
                f"  two-factor key {DEMO_TOTP_KEY_BASE32} (or: xinqiao demo-code {user.username})"
            )
        out.write(f"  {user.username:<17} {role.label}{note}")
    # The address `xinqiao serve` listens on by default (`make run` passes HOST and PORT on).
    host = os.environ.get("XINQIAO_HOST", "127.0.0.1")
    port = os.environ.get("XINQIAO_PORT", "8000")
    out.write(f"Open http://{host}:{port}/ and sign in.")
