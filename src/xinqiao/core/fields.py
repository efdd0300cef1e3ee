"""Encrypted text: confidential text is stored as Fernet tokens, never as plain text."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from xinqiao.core import crypto


class EncryptedTextField(models.TextField):
    """A TextField whose value is encrypted at rest with the keys of the key file.

    Only ``isnull`` lookups work: encrypted values cannot be searched or sorted in SQL, which
    is the point. The change history never records these fields (see core.history).
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
        if lookup_name != "isnull":
            raise FieldError(f"Encrypted field {self.name!r} cannot be searched ({lookup_name}).")
        return super().get_lookup(lookup_name)


def encrypted_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
