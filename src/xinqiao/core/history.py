"""Change history of records (django-auditlog), without ever copying confidential text."""

from __future__ import annotations

import functools
from contextlib import contextmanager, nullcontext

from auditlog.context import auditlog_value, set_actor
from auditlog.registry import auditlog
from django.db import models, transaction

from xinqiao.core.fields import encrypted_field_names

ALWAYS_EXCLUDED = ("password", "session_salt", "last_login")


def track(model: type[models.Model], *, exclude: tuple[str, ...] = ()) -> None:
    """Record every create, change and delete of ``model`` in the change history.

    Encrypted fields are left out automatically: the history must not become a plain-text
    copy of confidential notes (auditlog's masking would still show part of the value). A
    service that rewrites confidential text records that fact itself.
    """
    excluded = {*ALWAYS_EXCLUDED, *exclude, *encrypted_field_names(model)}
    names = {f.name for f in model._meta.concrete_fields}
    auditlog.register(model, exclude_fields=sorted(excluded & names))


@contextmanager
def acting_as(actor):
    """Record ``actor`` as the author of the changes made inside, and restore the author
    before (auditlog's own ``set_actor`` does not nest: it would leave the request's writes
    after it without their author)."""
    try:
        outer = auditlog_value.get()
    except LookupError:
        outer = None
    if outer is None:
        with set_actor(actor):
            yield
        return
    token = auditlog_value.set({**outer, "actor": actor})
    try:
        yield
    finally:
        auditlog_value.reset(token)


def service(func):
    """Mark a state change (STYLE.md 1-2): it runs in one transaction, and the ``actor`` it is
    given is recorded as the author of every change it makes in the change history, whoever
    calls it (a page, the API with a token, a task). Without an actor the caller's (the
    request's, or none in a task) stands."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        actor = kwargs.get("actor")
        recorded = acting_as(actor) if getattr(actor, "pk", None) is not None else nullcontext()
        with recorded, transaction.atomic():
            return func(*args, **kwargs)

    return run


def register_core_models() -> None:
    from xinqiao.core.models import User

    track(User)
