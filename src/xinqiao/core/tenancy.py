"""School scope: every row of school data belongs to a school, and is read through for_user().

Pattern (STYLE.md 3): a protected model subclasses ``SchoolScopedModel`` and overrides
``visibility_q(user)`` with its role rule; views and the API call ``get_for_user_or_404`` (or
``Model.objects.for_user(user)``), which answers 404 alike for "missing" and "not yours".
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

NOTHING = Q(pk__in=[])


class SchoolScopedQuerySet(models.QuerySet):
    def for_user(self, user) -> SchoolScopedQuerySet:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(self.model.visibility_q(user))

    def for_school(self, school_id: int) -> SchoolScopedQuerySet:
        return self.filter(school_id=school_id)


class SchoolScopedModel(models.Model):
    school = models.ForeignKey("people.School", on_delete=models.PROTECT, verbose_name=_("school"))

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The rows ``user`` may see; by default every row of the user's schools."""
        return Q(school_id__in=user.school_ids)


def get_for_user_or_404(queryset_or_model, user, **lookup):
    """The one getter pattern: scoped lookup, 404 for missing and foreign alike."""
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    try:
        return queryset.for_user(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
