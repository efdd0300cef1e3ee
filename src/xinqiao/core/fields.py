"""Encrypted text: confidential text is stored as Fernet tokens, never as plain text."""

from __future__ import annotations

import functools
import operator

from django import forms
from django.core.exceptions import FieldError
from django.core.validators import MaxLengthValidator
from django.db import migrations, models
from django.db.models import Q
from django.db.models.lookups import Exact

from xinqiao.core import crypto


class EncryptedTextField(models.TextField):
    """A TextField whose value is encrypted at rest with the keys of the key file.

    Only ``isnull`` and ``=""`` lookups work: encrypted values cannot be searched or sorted in
    SQL, which is the point. The change history never records these fields (see core.history).
    """

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return IsEmpty
        if lookup_name != "isnull":
            raise FieldError(f"Encrypted field {self.name!r} cannot be searched ({lookup_name}).")
        return super().get_lookup(lookup_name)


class IsEmpty(Exact):
    """``field=""``: the empty value is stored as it is, so whether a field is empty can be
    asked (a check constraint does); comparing with any other value cannot."""

    def __init__(self, lhs, rhs):
        if rhs != "":
            raise FieldError("Encrypted text cannot be searched (exact).")
        super().__init__(lhs, rhs)


class EncryptedCharField(EncryptedTextField):
    """One line of confidential text (a name, a place, a phone number): a text input of at
    most ``max_length`` characters, checked before encryption (the stored token is longer)."""

    description = "Encrypted line of text"

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.TextInput, **kwargs})


def encrypted_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def rewrite_stored_values(
    apps, schema_editor, *, model: str, fields: tuple[str, ...], encrypt: bool
):
    """Encrypt (or, with ``encrypt=False``, decrypt) the values stored in ``fields`` of the
    model labelled ``model``, row by row, with each field's own conversion. The rows are read
    and written in SQL: through the model, a plain value would be taken for a token."""
    model_class = apps.get_model(model)
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    table, pk = quote(model_class._meta.db_table), quote(model_class._meta.pk.column)
    for name in fields:
        field = model_class._meta.get_field(name)
        column = quote(field.column)
        # Names from the model's meta, quoted; values as parameters.
        select = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(select)
            rows = cursor.fetchall()
            changed = [
                (
                    field.get_prep_value(value)
                    if encrypt
                    else field.from_db_value(value, None, connection),
                    key,
                )
                for key, value in rows
            ]
            cursor.executemany(update, changed)
    # The reverse step is followed by the columns' change of type in the same transaction, and
    # PostgreSQL alters no table while the updates' deferred foreign-key checks are pending.
    connection.check_constraints(table_names=[model_class._meta.db_table])
    if encrypt:
        _forget_in_history(apps, model_class, fields)


def _forget_in_history(apps, model_class, fields: tuple[str, ...]) -> None:
    """Take the plain values of ``fields`` out of the change history recorded before they
    were encrypted (the history keeps no encrypted field, see core.history)."""
    content_type = (
        apps.get_model("contenttypes", "ContentType")
        .objects.filter(app_label=model_class._meta.app_label, model=model_class._meta.model_name)
        .first()
    )
    if content_type is None:
        return
    naming_a_field = functools.reduce(operator.or_, (Q(changes__has_key=name) for name in fields))
    entries = apps.get_model("auditlog", "LogEntry").objects.filter(
        naming_a_field, content_type=content_type
    )
    for entry in list(entries.only("pk", "changes")):
        entry.changes = {k: v for k, v in entry.changes.items() if k not in fields}
        entry.save(update_fields=["changes"])


def encrypt_existing(model: str, *fields: str) -> migrations.RunPython:
    """The migration step after plain text columns of ``model`` ("app.Model") became encrypted
    fields: it encrypts the values already stored; reversed, it decrypts them again before the
    columns turn back into plain text."""
    return migrations.RunPython(
        functools.partial(rewrite_stored_values, model=model, fields=fields, encrypt=True),
        functools.partial(rewrite_stored_values, model=model, fields=fields, encrypt=False),
    )
