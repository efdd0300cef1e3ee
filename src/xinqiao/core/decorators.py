from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from rules.contrib.views import permission_required as rules_permission_required


def permission_required(perm: str, fn=None):
    """Anonymous people are sent to sign in; signed-in people without ``perm`` get 403.

    ``fn`` picks the object the rule is checked against (rules' convention), for object rules.
    """

    def decorator(view):
        checked = rules_permission_required(perm, fn=fn, raise_exception=True)(view)
        return login_required(wraps(view)(checked))

    return decorator
