"""Change history of records (django-auditlog), without ever copying confidential text."""

from __future__ import annotations

import functools
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

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


# The author a service was given; it outranks the request's (set by auditlog's middleware).
_service_actor: ContextVar = ContextVar("xinqiao_service_actor", default=None)


@contextmanager
def acting_as(actor):
    """Record ``actor`` as the author of the changes made inside, then the author before."""
    token = _service_actor.set(actor)
    try:
        yield
    finally:
        _service_actor.reset(token)


def stamp_service_actor(sender, instance, **kwargs) -> None:
    """pre_save of auditlog's LogEntry (connected in CoreConfig.ready)."""
    actor = _service_actor.get()
    if actor is not None:
        instance.actor = actor
        instance.actor_email = getattr(actor, "email", None)


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
    from xinqiao.core.models import DeliveryChannel, User

    track(User)
    track(DeliveryChannel)  # the robot's address and secret are encrypted: left out
