"""The cases app's getters: case material reached only through the kernel (core/access.py).

Each getter answers 404 for missing and not-yours alike, 403 for material the reader sees but
may not act on, and writes every refusal to the access log (case material is confidential).
Predicates about a case are asked of the case, loaded with its counselors so that no
permission check queries again (``Case.counselor_user_ids``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch

from xinqiao.cases.models import (
    Case,
    CaseCounselor,
    Conference,
    PlanMeasure,
    Referral,
    SupportPlan,
    TypicalCase,
)
from xinqiao.core import access
from xinqiao.core.roles import Role


def with_counselors(queryset: models.QuerySet, path: str = "") -> models.QuerySet:
    """``queryset`` with the counselors of its case (at ``path``) loaded for the predicates."""
    prefix = f"{path}__" if path else ""
    return queryset.prefetch_related(
        Prefetch(f"{prefix}counselors", queryset=CaseCounselor.objects.select_related("user"))
    )


def case_queryset() -> models.QuerySet[Case]:
    return with_counselors(Case.objects.select_related("student__school_class__grade", "school"))


def get_case_or_refuse(request, pk: int, perm: str = "cases.view_case", queryset=None) -> Case:
    """The case if ``perm`` allows it; a refusal is recorded, then 404 (not in scope) or 403."""
    return access.get_or_refuse(
        request, case_queryset() if queryset is None else queryset, pk, perm
    )


def _part(request, queryset, pk: int, perm: str, case_path: str, *, perm_on_case: bool = True):
    queryset = with_counselors(queryset.select_related(f"{case_path}__school"), case_path)
    return access.get_or_refuse(
        request, queryset, pk, perm, perm_on=case_path.replace("__", ".") if perm_on_case else ""
    )


def get_conference(request, pk: int, perm: str = "cases.view_case") -> Conference:
    """A conference; ``cases.view_conference_share`` is asked of the conference itself."""
    on_case = perm != "cases.view_conference_share"
    queryset = Conference.objects.select_related("case__student__school_class__grade")
    return _part(request, queryset, pk, perm, "case", perm_on_case=on_case)


def get_plan(request, pk: int, perm: str) -> SupportPlan:
    return _part(request, SupportPlan.objects.all(), pk, perm, "case")


def get_measure(request, pk: int, perm: str) -> PlanMeasure:
    """A measure; ``cases.log_measure_activity`` is asked of the measure (its responsible)."""
    on_case = perm != "cases.log_measure_activity"
    queryset = PlanMeasure.objects.select_related("plan__case__student")
    return _part(request, queryset, pk, perm, "plan__case", perm_on_case=on_case)


def get_referral(request, pk: int, perm: str) -> Referral:
    queryset = Referral.objects.select_related(
        "to_counselor", "to_service", "referred_by", "consent", "case__student"
    )
    return _part(request, queryset, pk, perm, "case")


def get_typical(request, pk: int, perm: str = "cases.mark_typical") -> TypicalCase:
    """A typical case with its case, for those who work on it (drafts included)."""
    return _part(request, TypicalCase.objects.select_related("category"), pk, perm, "case")


def record_read(request, obj: models.Model, *, action: str = "read", basis: str = "") -> None:
    """Every read of case material goes to the access log, with the rule that allowed it."""
    if not basis:
        school_id = getattr(obj, "school_id", None)
        basis = (
            "director of the school"
            if request.user.has_role(Role.DIRECTOR, school_id=school_id)
            else "counselor of the case"
        )
    access.record_read(request, obj, basis=basis, action=action)
