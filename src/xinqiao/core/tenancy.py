"""School scope: every row of school data belongs to a school (DESIGN.md, tenancy).

``SchoolScopedModel`` adds the school to a ``ProtectedModel``; it does not say who sees the
rows: each concrete model declares that in the access kernel (core/access.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import ProtectedModel, ProtectedQuerySet


class SchoolScopedQuerySet(ProtectedQuerySet):
    def for_school(self, school_id: int) -> SchoolScopedQuerySet:
        return self.filter(school_id=school_id)


class SchoolScopedModel(ProtectedModel):
    school = models.ForeignKey("people.School", on_delete=models.PROTECT, verbose_name=_("school"))

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        abstract = True
