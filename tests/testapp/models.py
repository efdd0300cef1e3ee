"""Models of the tests alone: a protected note, a child of it, and one that breaks the rule."""

from django.db import models
from django.db.models import Q

from xinqiao.core.access import ProtectedModel, school_members_q
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.tenancy import SchoolScopedModel


class SecretNote(SchoolScopedModel):
    confidential = True

    title = models.CharField(max_length=100)
    body = EncryptedTextField()

    @classmethod
    def visibility_q(cls, user) -> Q:
        return school_members_q(user)


class SecretNoteComment(ProtectedModel):
    """Visible exactly when its note is (the kernel's scope parent)."""

    scope_parent = "note"

    note = models.ForeignKey(SecretNote, on_delete=models.CASCADE, related_name="comments")
    text = EncryptedTextField()


class UndeclaredNote(SchoolScopedModel):
    """Declares nobody who may see it: the architecture test's fixture of a violation."""

    body = EncryptedTextField()
