"""The one way views and the API reach case material: scoped, checked, and written to the log."""

from __future__ import annotations

from django.db import models

from xinqiao.cases.models import Case
from xinqiao.core.access_log import get_or_refuse, record_access


def get_case_or_refuse(request, pk: int, perm: str = "cases.view_case") -> Case:
    """The case if ``perm`` allows it; a refusal is recorded, then 404 (not in scope) or 403."""
    queryset = Case.objects.select_related("student__school_class__grade", "school")
    return get_or_refuse(request, queryset, pk, perm)


def record_read(request, obj: models.Model, *, action: str = "read", basis: str = "") -> None:
    """Every read of case material goes to the access log, with the rule that allowed it."""
    user = request.user
    if not basis:
        school_id = getattr(obj, "school_id", None)
        basis = (
            "director of the school"
            if user.has_role("director", school_id=school_id)
            else "counselor of the case"
        )
    record_access(actor=user, action=action, obj=obj, basis=basis, request=request)
