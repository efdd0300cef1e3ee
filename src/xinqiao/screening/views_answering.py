"""What the questionnaire page sends while a respondent answers: each save as it goes, and the
final submit (JSON; the page keeps a copy in the browser too, so nothing typed is lost)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinqiao.screening.access import get_own_participation
from xinqiao.screening.services import answers_save, participation_submit


def _payload(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _refused(error: ValidationError) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": error.messages}, status=400)


@require_POST
def save(request, pk: int):
    """``{"scale": "phq9", "answers": {"q1": 2}, "seq": 7}``: the browser's answers to one
    scale; ``seq`` grows with each save so a late older save changes nothing."""
    participation = get_own_participation(request, pk)
    data = _payload(request)
    try:
        seq = int(data.get("seq", 0))
        answers = data.get("answers") or {}
        if not isinstance(answers, dict):
            raise ValidationError("answers")
        answers_save(
            participation=participation,
            scale_id=str(data.get("scale", "")),
            answers=answers,
            seq=seq,
        )
    except (TypeError, ValueError):
        return JsonResponse({"ok": False}, status=400)
    except ValidationError as error:
        return _refused(error)
    return JsonResponse({"ok": True, "seq": seq})


@require_POST
def submit(request, pk: int):
    """``{"answers": {"phq9": {...}}}``: score and submit once; sent again, the same answer."""
    participation = get_own_participation(request, pk)
    answers = _payload(request).get("answers") or {}
    if not isinstance(answers, dict) or not all(isinstance(a, dict) for a in answers.values()):
        return JsonResponse({"ok": False}, status=400)
    actor = request.user if request.user.is_authenticated else None
    try:
        participation = participation_submit(
            actor=actor, participation=participation, answers=answers
        )
    except ValidationError as error:
        return _refused(error)
    return JsonResponse({"ok": True, "next": reverse("screening:done", args=[participation.pk])})
