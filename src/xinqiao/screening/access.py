"""Getters of screening objects (core/access.py's one getter, with screening's rules).

A respondent reaches their participation signed in, or at a shared computer through the class
code (``class_code_enter``): then the anonymous session holds the participation's id and
nothing else of the student.
"""

from __future__ import annotations

from django.http import Http404

from xinqiao.core.access import NOT_FOUND, get_or_refuse
from xinqiao.screening.models import Participation

SESSION_KEY = "screening_participation_ids"
# After a submit on a shared computer: the participation this browser may still thank (its
# done page, without scores), though it can no longer open or change it.
DONE_SESSION_KEY = "screening_participation_done"


def remember_in_session(request, participation: Participation) -> None:
    """Let this browser (a shared computer) answer this participation only."""
    request.session[SESSION_KEY] = [participation.pk]
    request.session.cycle_key()


def forget_in_session(request, *, done: Participation | None = None) -> None:
    """The next student at this computer starts clean; ``done``: thank its respondent once
    more on the done page (and answer a repeated submit), nothing else."""
    request.session.pop(SESSION_KEY, None)
    if done is not None:
        request.session[DONE_SESSION_KEY] = done.pk


def entered_in_session(request, pk: int) -> bool:
    return pk in request.session.get(SESSION_KEY, [])


def get_done_in_session(request, pk: int) -> Participation | None:
    """The participation this shared computer submitted last, if it is ``pk``."""
    if request.session.get(DONE_SESSION_KEY) != pk:
        return None
    return _one(
        Participation.objects.select_related("campaign").filter(
            pk=pk, via=Participation.Via.CLASS_CODE, state=Participation.State.SUBMITTED
        )
    )


def _one(queryset) -> Participation | None:
    """The row of a primary-key lookup, or None: without ``first()``'s ORDER BY, which the
    answering path (every save of every respondent, issue 15) would build for nothing."""
    try:
        return queryset.get()
    except Participation.DoesNotExist:
        return None


def get_own_participation(
    request, pk: int, related: tuple[str, ...] = ("campaign", "student", "teacher")
) -> Participation:
    """The participation the signed-in respondent owns, or the one this browser entered with
    a class code; anyone else: not found. ``related``: what is read with it (a save needs only
    its campaign: every save of every respondent builds this query, issue 15)."""
    queryset = Participation.objects.select_related(*related)
    if pk in request.session.get(SESSION_KEY, []):
        participation = _one(queryset.filter(pk=pk, via=Participation.Via.CLASS_CODE))
        if participation is not None:
            return participation
        raise Http404(NOT_FOUND)
    if not request.user.is_authenticated:
        raise Http404(NOT_FOUND)
    given = _given_on_my_screen(request, queryset, pk)
    if given is not None:
        return given
    return get_or_refuse(request, queryset, pk, "screening.take")


def _given_on_my_screen(request, queryset, pk: int) -> Participation | None:
    """A scale the signed-in counselor gave during a case to answer on their screen now: the
    student answers it on the counselor's computer, so that counselor opens it (and no one
    else: another counselor of the case, or a scale sent to the student's account, is not)."""
    from xinqiao.core.roles import Role

    participation = (
        queryset.for_user(request.user)
        .filter(
            pk=pk,
            case__isnull=False,
            via=Participation.Via.COUNSELOR,
            given_by_id=request.user.pk,
        )
        .first()
    )
    if participation is None or not request.user.has_role(
        Role.COUNSELOR, Role.DIRECTOR, school_id=participation.school_id
    ):
        return None
    return participation
