"""The cases app's getters: case material reached only through the kernel (core/access.py).

Each getter answers 404 for missing and not-yours alike, 403 for material the reader sees but
may not act on, and writes every refusal to the access log (case material is confidential; the
directory's services and the student file are logged too, as the routes that open them are).
Parts of a case (a conference, a plan, a measure, a referral, a typical case) are reached
through their case: whoever does not read the case is told "not found", even when they see the
part for another reason (a conference's participant, a measure's responsible, a published
typical case), which they reach through the getters named for that. Predicates about a case are
asked of the case, loaded with its counselors so that no permission check queries again
(``Case.counselor_user_ids``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch, Q

from xinqiao.cases.models import (
    AccessGrant,
    Case,
    CaseCounselor,
    Conference,
    Consent,
    OutsideService,
    PlanMeasure,
    ProblemCategory,
    Referral,
    SupportPlan,
    TypicalCase,
)
from xinqiao.core import access
from xinqiao.core.access_log import record_access
from xinqiao.core.roles import Role
from xinqiao.crisis.models import EmergencyAccess
from xinqiao.people.models import Student


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


def _through_case(request, queryset, pk: int, perm: str, case_path: str = "case"):
    """A part of a case as case material: visible exactly when its case is, ``perm`` asked of
    the case (loaded with its counselors)."""
    if queryset.model.scope_parent != case_path:
        readable = Case.objects.for_user(request.user).values("pk")
        queryset = queryset.filter(**{f"{case_path}__in": readable})
    queryset = with_counselors(queryset.select_related(f"{case_path}__school"), case_path)
    return access.get_or_refuse(request, queryset, pk, perm, perm_on=case_path.replace("__", "."))


# --- parts of a case ------------------------------------------------------------------------------
def get_conference(request, pk: int, perm: str = "cases.view_case_conferences") -> Conference:
    queryset = Conference.objects.select_related("case__student__school_class__grade")
    return _through_case(request, queryset, pk, perm)


def get_conference_share(request, pk: int) -> Conference:
    """A conference as a participant sees it (its shared part): for those who sit in it."""
    queryset = Conference.objects.filter(participants__user_id=request.user.pk).select_related(
        "case__student__school_class__grade"
    )
    # The filter is the rule (cases.view_conference_share): no predicate asked again.
    return access.get_or_refuse(request, queryset, pk)


def get_plan(request, pk: int, perm: str) -> SupportPlan:
    return _through_case(request, SupportPlan.objects.all(), pk, perm)


def get_measure(request, pk: int, perm: str) -> PlanMeasure:
    queryset = PlanMeasure.objects.select_related("plan__case__student")
    return _through_case(request, queryset, pk, perm, "plan__case")


def get_my_measure(request, pk: int) -> PlanMeasure:
    """A measure asked of the user (what to do and for whom, never why): its responsible only."""
    queryset = PlanMeasure.objects.filter(responsible_id=request.user.pk).select_related(
        "plan__case__student"
    )
    return access.get_or_refuse(request, queryset, pk, "cases.log_measure_activity")


def get_referral(request, pk: int, perm: str) -> Referral:
    queryset = Referral.objects.select_related(
        "to_counselor",
        "to_service",
        "referred_by",
        "consent",
        "case__student__school_class__grade",
    )
    return _through_case(request, queryset, pk, perm)


def get_typical(request, pk: int, perm: str = "cases.mark_typical") -> TypicalCase:
    """A typical case with its case, for those who work on it (drafts included)."""
    queryset = TypicalCase.objects.select_related(
        "category", "case__student__school_class__grade", "case__referred_by"
    )
    return _through_case(request, queryset, pk, perm)


def get_published_typical(request, pk: int) -> TypicalCase:
    """A published, de-identified typical case of the library."""
    queryset = TypicalCase.objects.filter(published=True).select_related("category")
    return access.get_or_refuse(request, queryset, pk, "cases.view_typical_cases")


def consents_covering(user, case: Case) -> models.QuerySet[Consent]:
    """The consents that can cover ``case``: its own and the student's general ones."""
    return (
        Consent.objects.for_user(user)
        .filter(student_id=case.student_id)
        .filter(Q(case=case) | Q(case__isnull=True))
        .select_related("recorded_by")
        .order_by("-given_on", "-id")
    )


def get_consent(request, case: Case, pk: int) -> Consent:
    """One of the consents covering ``case`` (the caller has checked the case)."""
    return access.get_or_refuse(request, consents_covering(request.user, case), pk)


def cases_referred_by(user) -> models.QuerySet[Case]:
    """What a referring teacher or guardian may know of the cases they started: the number,
    the state, the date and the student, never the case (DESIGN.md principle 1)."""
    return (
        Case.objects.filter(referred_by_id=user.pk)
        .select_related("student__school_class__grade")
        .only("number", "state", "opened_at", "student__name", "student__school_class")
    )


def measures_asked_of(user) -> models.QuerySet[PlanMeasure]:
    """Measures asked of ``user`` in approved plans of cases being worked on: what to do and
    for whom, never why (DESIGN.md principle 1). The "support tasks" page and its tile."""
    return PlanMeasure.objects.for_user(user).filter(
        responsible=user,
        plan__state=SupportPlan.State.APPROVED,
        plan__case__state__in=Case.WORKING_STATES,
    )


# --- what the counseling side keeps beside the cases -----------------------------------------------
def get_outside_service(request, pk: int, perm: str = "cases.manage_services") -> OutsideService:
    # The directory is not confidential, but its routes sit among the case pages: refusals logged.
    return access.get_or_refuse(request, OutsideService, pk, perm, confidential=True)


def get_category(request, school, pk) -> ProblemCategory:
    """A problem category of ``school`` (the director's list)."""
    return access.get_or_refuse(request, ProblemCategory.objects.filter(school=school), pk)


def get_student_for_file(request, pk: int, perm: str) -> Student:
    """The student whose file (一人一档) is opened, with what the file's header shows: a student
    of a school the user directs, of a case they hold, whose file they opened in an
    emergency (break-glass) or hold a file grant in force to; any other student is "not found".

    A file grant holder may not see the student on the roster (a duty person): the grant the
    director approved is what opens the file's header to them."""
    user = request.user
    queryset = Student.objects.select_related("school", "school_class__grade", "dormitory")
    if not user.school_ids_with(Role.DIRECTOR, Role.COUNSELOR):
        grant = AccessGrant.file_grant_for(user, pk)
        if grant is not None:
            student = queryset.get(pk=grant.student_id)
            if user.has_perm(perm, student):
                return student
            access.record_refusal(request, Student, pk, perm, school_id=student.school_id)
            raise PermissionDenied(f"refused: {perm}")
    held = CaseCounselor.objects.filter(user_id=user.pk).values("case__student_id")
    granted = AccessGrant.objects.held_by(user).filter(kind=AccessGrant.Kind.FILE)
    queryset = queryset.filter(
        Q(school_id__in=user.school_ids_with(Role.DIRECTOR))
        | Q(pk__in=held)
        | Q(pk__in=EmergencyAccess.student_ids_for(user))
        | Q(pk__in=granted.values("student_id"))
    )
    return access.get_or_refuse(request, queryset, pk, perm, confidential=True)


def refuse_unless(request, perm: str, model: type[models.Model], pk) -> None:
    """403, written to the access log, unless the user holds ``perm`` (a step that must refuse
    before it fetches the object of another app it names)."""
    if not request.user.has_perm(perm):
        access.record_refusal(request, model, pk, perm)
        raise PermissionDenied


def get_grant(request, pk: int, perm: str) -> AccessGrant:
    """An access grant: the director of its school, or the person who asked for it."""
    queryset = AccessGrant.objects.select_related(
        "requester", "case", "student__school_class__grade", "decided_by", "revoked_by"
    )
    return access.get_or_refuse(request, queryset, pk, perm)


def record_read(
    request,
    obj: models.Model,
    *,
    action: str = "read",
    basis: str = "",
    grant_id: int | None = None,
) -> None:
    """Every read of case material goes to the access log, with the rule that allowed it (and
    the grant it rests on, when it does: ``grant_id`` is a column the log is filtered by)."""
    if not basis:
        basis, grant_id = read_grounds(request.user, obj, "counselor of the case")
    record_access(
        actor=request.user, action=action, obj=obj, basis=basis, grant_id=grant_id, request=request
    )


def read_basis(user, obj: models.Model, held: str) -> str:
    return read_grounds(user, obj, held)[0]


def read_grounds(user, obj: models.Model, held: str) -> tuple[str, int | None]:
    """What a read of case material rests on, for the access log: the director's role, the
    counselor's case (``held``), an emergency access or an access grant (every read under
    either is marked, a grant's with its id)."""
    if user.has_role(Role.DIRECTOR, school_id=getattr(obj, "school_id", None)):
        return "director of the school", None
    if isinstance(obj, Case):
        if user.pk in obj.counselor_user_ids:
            return held, None
        emergency = obj.emergency_access_of(user)
        if emergency is not None:
            return emergency.basis, None
        grants = obj.grants_of(user)
        if grants:
            return grants[0].basis, grants[0].pk
        return held, None
    if isinstance(obj, Student):
        emergency = EmergencyAccess.in_force_for(user, obj.pk)
        if emergency is not None:
            return emergency.basis, None
        from xinqiao.cases.rules import file_grant_of, holds_a_case_of_student

        # Both asked already of this student by the file's permission (no query again).
        if not holds_a_case_of_student(user, obj):
            grant = file_grant_of(user, obj)
            if grant is not None:
                return grant.basis, grant.pk
    return held, None
