"""How a respondent answers: their questionnaires, the questionnaire itself, the thank-you
page, and the class code that opens one on a shared computer of the computer room.

The answers travel as JSON (views_answering.py); this module only renders. Results are flags
for a follow-up interview, never a diagnosis: a respondent sees scores only when the campaign
allows it, and never on a shared computer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from xinqiao.core.net import client_address
from xinqiao.screening.access import (
    DONE_SESSION_KEY,
    entered_in_session,
    get_done_in_session,
    get_own_participation,
    remember_in_session,
)
from xinqiao.screening.definitions import PRIMARY_LANGUAGE, ScaleDefinition
from xinqiao.screening.forms_taking import ClassCodeForm
from xinqiao.screening.models import Campaign, Participation
from xinqiao.screening.services import (
    answers_of,
    class_code_enter,
    participation_start,
    scale_definition,
)

# Wrong class codes: a browser may miss a few times; an address (a whole computer room behind
# one router) more, since forty students type at once.
TRIES_PER_BROWSER = 5
TRIES_PER_ADDRESS = 40
TRIES_WINDOW_SECONDS = 10 * 60


def _text(text: dict[str, str], language: str) -> str:
    return text.get(language) or text.get(PRIMARY_LANGUAGE) or next(iter(text.values()), "")


def _display_language(definition: ScaleDefinition) -> str:
    """The respondent reads the scale in a wording the school holds: Chinese first, English
    when the person chose it and the scale carries it."""
    languages = definition.languages
    if not languages:
        return PRIMARY_LANGUAGE  # scoring only: its name, never its items, is shown
    chosen = "en" if (get_language() or "").startswith("en") else PRIMARY_LANGUAGE
    if chosen in languages:
        return chosen
    return PRIMARY_LANGUAGE if PRIMARY_LANGUAGE in languages else languages[0]


def _respondent_q(user) -> Q:
    return Q(student__user_id=user.pk) | Q(teacher__user_id=user.pk)


# --- my questionnaires ---------------------------------------------------------------------------
@dataclass
class Entry:
    participation: Participation
    title: str
    scores: list[dict] = field(default_factory=list)


def _title(participation: Participation) -> str:
    if participation.campaign_id is not None:
        return participation.campaign.title
    definition = scale_definition(participation.scale_keys[0])
    return _("From your counselor: %(scale)s") % {
        "scale": _text(definition.name, _display_language(definition))
    }


def _scores_of(participation: Participation) -> list[dict]:
    """What the respondent may see of their result: each scale's total and band label."""
    rows = []
    for response in participation.responses.all():
        if response.scored_at is None:
            continue
        definition = scale_definition((response.scale_id, response.scale_version))
        language = _display_language(definition)
        band = next((b for b in definition.total.bands if b.id == response.band), None)
        rows.append(
            {
                "scale": _text(definition.name, language),
                "total": response.total_scaled
                if response.total_scaled is not None
                else response.total,
                "band": _text(band.label, language) if band else "",
            }
        )
    return rows


@login_required
def my_questionnaires(request):
    """Open now, coming, opted out, and answered ones (with the campaign's message)."""
    now = timezone.now()
    mine = (
        Participation.objects.for_user(request.user)
        .filter(_respondent_q(request.user))
        .filter(
            Q(campaign__state__in=[Campaign.State.ANNOUNCED, Campaign.State.CLOSED])
            | Q(case__isnull=False, via=Participation.Via.ACCOUNT)
        )
        .select_related("campaign")
        .prefetch_related("responses")
        .order_by("-pk")
    )
    groups: dict[str, list[Entry]] = {"open": [], "coming": [], "opted_out": [], "past": []}
    waiting = (Participation.State.INVITED, Participation.State.STARTED)
    for participation in mine:
        entry = Entry(participation, _title(participation))
        campaign = participation.campaign
        if participation.state == Participation.State.OPTED_OUT:
            groups["opted_out"].append(entry)
        elif participation.state == Participation.State.SUBMITTED:
            if campaign is not None and campaign.respondents_see_scores:
                entry.scores = _scores_of(participation)
            groups["past"].append(entry)
        elif campaign is None or campaign.is_open(now):
            groups["open"].append(entry)
        elif campaign.state == Campaign.State.ANNOUNCED and now < campaign.opens_at:
            groups["coming"].append(entry)
        elif participation.state in waiting:
            groups["past"].append(entry)  # closed before it was answered
    past = Paginator(groups.pop("past"), 20).get_page(request.GET.get("page"))
    return render(request, "screening/my_questionnaires.html", {**groups, "page": past})


# --- the questionnaire ---------------------------------------------------------------------------
def _scale_context(definition: ScaleDefinition, saved: dict) -> dict:
    language = _display_language(definition)
    items = []
    for number, item in enumerate(definition.items, start=1):
        answer = saved.get(item.id)
        items.append(
            {
                "id": item.id,
                "number": number,
                "text": _text(item.text, language),
                "options": [
                    {
                        "value": o.value,
                        "label": _text(o.label, language),
                        "checked": o.value == answer,
                    }
                    for o in definition.item_options(item)
                ],
            }
        )
    return {
        "id": definition.id,
        "name": _text(definition.name, language),
        "instructions": _text(definition.instructions, language),
        "items": items,
        "attribution": definition.licence.attribution or definition.licence.holder,
        "citation": definition.citation,
        "demo_wording": not definition.wording_validated,
    }


def _not_takeable(participation: Participation) -> str:
    if participation.state == Participation.State.OPTED_OUT:
        return _(
            "Your guardian has opted you out of this questionnaire. You do not need to fill it in."
        )
    campaign = participation.campaign
    if campaign is not None and not campaign.is_open():
        if campaign.state == Campaign.State.ANNOUNCED and timezone.now() < campaign.opens_at:
            return _("This questionnaire opens at %(opens)s.") % {
                "opens": timezone.localtime(campaign.opens_at).strftime("%Y-%m-%d %H:%M")
            }
        return _("This questionnaire has closed.")
    return ""


def _signed_in_or_entered(request, pk: int) -> bool:
    return request.user.is_authenticated or entered_in_session(request, pk)


@never_cache
def take(request, pk: int):
    """Every scale of the participation in order, rendered with the answers the server holds
    (the page's script merges a newer copy kept in this browser)."""
    if not _signed_in_or_entered(request, pk):
        return redirect_to_login(request.get_full_path())
    participation = get_own_participation(request, pk)
    if participation.state == Participation.State.SUBMITTED:
        return redirect("screening:done", pk=participation.pk)
    refusal = _not_takeable(participation)
    if refusal:
        return render(
            request,
            "screening/take.html",
            {"participation": participation, "refusal": refusal},
            status=403,
        )
    definitions = [scale_definition(key) for key in participation.scale_keys]
    if not all(d.administrable for d in definitions):
        refusal = _(
            "This questionnaire cannot be shown now: a scale has no wording the school may "
            "use. Please tell the counseling room."
        )
        return render(
            request, "screening/take.html", {"participation": participation, "refusal": refusal}
        )
    participation_start(
        participation=participation,
        via=participation.via or Participation.Via.ACCOUNT,
    )
    # The participation came through the access getter: its responses are the respondent's.
    responses = {r.scale_id: r for r in participation.responses.all()}
    saved = {
        scale_id: {"answers": answers_of(r), "seq": r.seq} for scale_id, r in responses.items()
    }
    scales = [_scale_context(d, saved.get(d.id, {}).get("answers", {})) for d in definitions]
    return render(
        request,
        "screening/take.html",
        {
            "participation": participation,
            "title": _title(participation),
            "scales": scales,
            "question_count": sum(len(s["items"]) for s in scales),
            "saved": saved,
            "shared_computer": not request.user.is_authenticated,
        },
    )


@never_cache
def done(request, pk: int):
    """Thanks, the campaign's message and where help is; scores only when the campaign
    allows it and never on a shared computer (the session forgot the participation)."""
    finished_here = get_done_in_session(request, pk)
    if finished_here is not None:
        return render(
            request,
            "screening/done.html",
            {"participation": finished_here, "shared_computer": True},
        )
    if not _signed_in_or_entered(request, pk):
        return redirect_to_login(request.get_full_path())
    participation = get_own_participation(request, pk)
    if participation.state != Participation.State.SUBMITTED:
        return redirect("screening:take", pk=participation.pk)
    campaign = participation.campaign
    scores = []
    if campaign is not None and campaign.respondents_see_scores:
        scores = _scores_of(participation)
    return render(
        request,
        "screening/done.html",
        {"participation": participation, "scores": scores, "shared_computer": False},
    )


# --- the class code (shared computers) -----------------------------------------------------------
def _misses_keys(request) -> tuple[str, str]:
    if request.session.session_key is None:
        request.session.save()
    browser = salted_hmac("xinqiao.screening.code", request.session.session_key).hexdigest()
    address = salted_hmac("xinqiao.screening.code", client_address(request) or "-").hexdigest()
    return f"screening:code-misses:b:{browser}", f"screening:code-misses:a:{address}"


def _too_many_misses(keys: tuple[str, str]) -> bool:
    browser, address = keys
    return cache.get(browser, 0) >= TRIES_PER_BROWSER or cache.get(address, 0) >= TRIES_PER_ADDRESS


def _count_miss(keys: tuple[str, str]) -> None:
    for key in keys:
        cache.add(key, 0, timeout=TRIES_WINDOW_SECONDS)
        cache.incr(key)


@never_cache
def class_code(request):
    """Open to anyone (a shared computer): the class code, the student number and the name
    open that student's questionnaire in this browser only."""
    if request.method != "POST":
        return render(request, "screening/class_code.html", {"form": ClassCodeForm()})
    form = ClassCodeForm(request.POST)
    keys = _misses_keys(request)
    if _too_many_misses(keys):
        form.add_error(
            None,
            _(
                "Too many tries that did not match. Wait ten minutes and try again, or ask "
                "your teacher for help."
            ),
        )
        return render(request, "screening/class_code.html", {"form": form}, status=429)
    if form.is_valid():
        try:
            participation = class_code_enter(**form.cleaned_data)
        except ValidationError as error:
            _count_miss(keys)
            for message in error.messages:
                form.add_error("code", message)
        else:
            remember_in_session(request, participation)
            request.session.pop(DONE_SESSION_KEY, None)
            return redirect("screening:take", pk=participation.pk)
    return render(request, "screening/class_code.html", {"form": form}, status=400)
