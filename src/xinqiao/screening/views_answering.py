"""What the questionnaire page sends while a respondent answers: each save as it goes, and the
final submit (JSON; the page keeps a copy in the browser too, so nothing typed is lost).

Without its script the page is a plain form: the submit then takes the form's fields
(``<scale>:<item>``) and answers with the done page or the questionnaire again.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinqiao.screening.access import (
    entered_in_session,
    forget_in_session,
    get_done_in_session,
    get_own_participation,
)
from xinqiao.screening.services import answers_save, participation_submit

# What a save or a submit reads with the participation: its campaign (open? which scales?);
# the submit reads it again, locked, with everything it scores and records.
ANSWERING = ("campaign",)


def _payload(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_json(request) -> bool:
    return request.content_type == "application/json"


def _form_answers(post) -> dict[str, dict[str, str]]:
    """``phq9:q1=2`` fields of the plain form, as the script's ``{"phq9": {"q1": "2"}}``."""
    answers: dict[str, dict[str, str]] = {}
    for name, value in post.items():
        scale, sep, item = name.partition(":")
        if sep and scale and item:
            answers.setdefault(scale, {})[item] = value
    return answers


def _keep(participation, answers: dict) -> None:
    """The plain form's answers are saved first: a refused submit shows them again."""
    seqs = {r.scale_id: r.seq for r in participation.responses.all()}
    for scale_id, given in answers.items():
        try:
            answers_save(
                participation=participation,
                scale_id=scale_id,
                answers=given,
                seq=seqs.get(scale_id, 0) + 1,
            )
        except ValidationError:
            continue  # the submit below says what is wrong


def _refused(error: ValidationError) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": error.messages}, status=400)


def _signed_in_or_entered(request, pk: int) -> bool:
    return request.user.is_authenticated or entered_in_session(request, pk)


@never_cache
@require_POST
def save(request, pk: int):
    """``{"scale": "phq9", "answers": {"q1": 2}, "seq": 7}``: the browser's answers to one
    scale; ``seq`` grows with each save so a late older save changes nothing."""
    if not _signed_in_or_entered(request, pk):
        return redirect_to_login(reverse("screening:take", args=[pk]))
    participation = get_own_participation(request, pk, related=ANSWERING)
    data = _payload(request)
    try:
        seq = int(data.get("seq", 0))
        answers = data.get("answers") or {}
        if not isinstance(answers, dict) or seq < 0:
            raise ValueError("answers")
        answers_save(
            participation=participation,
            scale_id=str(data.get("scale", "")),
            answers=answers,
            seq=seq,
        )
    except (TypeError, ValueError, OverflowError):
        return JsonResponse({"ok": False}, status=400)
    except ValidationError as error:
        return _refused(error)
    return JsonResponse({"ok": True, "seq": seq})


@never_cache
@require_POST
def submit(request, pk: int):
    """``{"answers": {"phq9": {...}}}``: score and submit once; sent again, the same answer
    (also from a shared computer whose session has already forgotten the participation)."""
    as_json = _is_json(request)
    finished_here = get_done_in_session(request, pk)
    if finished_here is not None:
        done = reverse("screening:done", args=[pk])
        return JsonResponse({"ok": True, "next": done}) if as_json else redirect(done)
    if not _signed_in_or_entered(request, pk):
        return redirect_to_login(reverse("screening:take", args=[pk]))
    participation = get_own_participation(request, pk, related=ANSWERING)
    answers = (_payload(request).get("answers") or {}) if as_json else _form_answers(request.POST)
    if not isinstance(answers, dict) or not all(isinstance(a, dict) for a in answers.values()):
        return JsonResponse({"ok": False}, status=400)
    if not as_json:
        _keep(participation, answers)
    actor = request.user if request.user.is_authenticated else None
    try:
        participation = participation_submit(
            actor=actor, participation=participation, answers=answers
        )
    except ValidationError as error:
        if as_json:
            return _refused(error)
        for message in error.messages:
            messages.error(request, message)
        return redirect("screening:take", pk=pk)
    if entered_in_session(request, pk):
        # A shared computer: the next student starts clean.
        forget_in_session(request, done=participation)
    done = reverse("screening:done", args=[participation.pk])
    return JsonResponse({"ok": True, "next": done}) if as_json else redirect(done)
