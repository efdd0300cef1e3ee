"""Change history of records (django-auditlog), without ever copying confidential text."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.db import models

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


def register_core_models() -> None:
    from xinqiao.core.models import User

    track(User)
