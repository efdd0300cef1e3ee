"""Reads of screening results and follow-ups for the pages (and for other pages that reuse
them: the reports, the case page's scale section).

Everything here takes querysets already scoped by the access kernel (``for_user``) and adds
what the pages show beside the rows: the scale's name, the band's label, the wording of each
answer. Results are flags for a follow-up interview, never diagnoses.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from xinqiao.screening.definitions import PRIMARY_LANGUAGE, ScaleDefinition
from xinqiao.screening.library import current_library
from xinqiao.screening.models import Campaign, FollowUp, Participation, Response
from xinqiao.screening.scoring import AnswerError, score_answers


def in_language(text: dict[str, str] | None) -> str:
    """A definition's text in the reader's language (English when asked and present)."""
    text = text or {}
    english = (get_language() or "").startswith("en")
    return text.get("en") if english and "en" in text else text.get(PRIMARY_LANGUAGE, "")


def definition_of(scale_id: str, version: str) -> ScaleDefinition | None:
    """The definition that scored a result; None when the file has gone from the deployment."""
    return current_library().definitions.get((scale_id, version))


def scale_name(scale_id: str, version: str) -> str:
    definition = definition_of(scale_id, version)
    return in_language(definition.name) if definition else scale_id


def band_label(scale_id: str, version: str, band: str) -> str:
    definition = definition_of(scale_id, version)
    if definition is None or not band:
        return band
    found = next((b for b in definition.total.bands if b.id == band), None)
    return in_language(found.label) if found else band


# --- the follow-up list --------------------------------------------------------------------------
CONCLUDED = (FollowUp.Conclusion.CONFIRMED, FollowUp.Conclusion.NO_CONCERN)
PENDING_FIRST = models.Case(
    models.When(conclusion=FollowUp.Conclusion.PENDING, then=0), default=1
).asc()


def questionnaires_to_fill(user, now=None) -> QuerySet[Participation]:
    """What the user may answer now: the "open" group of My questionnaires (views_taking.py),
    counted on the workbench."""
    now = now or timezone.now()
    return (
        Participation.objects.for_user(user)
        .filter(Q(student__user_id=user.pk) | Q(teacher__user_id=user.pk))
        .filter(state__in=(Participation.State.INVITED, Participation.State.STARTED))
        .filter(
            Q(campaign__isnull=True, case__isnull=False, via=Participation.Via.ACCOUNT)
            | Q(
                campaign__state=Campaign.State.ANNOUNCED,
                campaign__opens_at__lte=now,
                campaign__closes_at__gt=now,
            )
        )
    )


def follow_ups_for_counseling(user) -> QuerySet[FollowUp]:
    """The follow-ups of the counseling side, with the flagging responses of each loaded."""
    flagged = Response.objects.for_user(user).filter(follow_up=True).order_by("scale_id")
    return (
        FollowUp.objects.for_user(user)
        .select_related(
            "participation__student",
            "participation__teacher",
            "participation__school_class__grade",
            "participation__campaign",
            "assigned_to",
        )
        .prefetch_related(Prefetch("participation__responses", queryset=flagged, to_attr="flags"))
        # Those still to be interviewed first, the newest flags first.
        .order_by(PENDING_FIRST, "-created_at", "-pk")
    )


def follow_ups_for_class_teacher(user) -> QuerySet[FollowUp]:
    """Whom a class teacher sends for a talk: the student and the class, never why."""
    return (
        FollowUp.objects.for_user(user)
        .filter(participation__student__isnull=False)
        .select_related("participation__student", "participation__school_class__grade")
        .order_by("participation__school_class_id", "participation__student__name", "pk")
    )


@dataclass
class Flag:
    """One scale that flagged a participation, as the list shows it."""

    scale: str
    band: str
    critical: bool


def flags_of(follow_up: FollowUp) -> list[Flag]:
    return [
        Flag(
            scale=scale_name(r.scale_id, r.scale_version),
            band=band_label(r.scale_id, r.scale_version, r.band),
            critical=bool(r.critical_level),
        )
        for r in getattr(follow_up.participation, "flags", [])
    ]


# --- false positives -----------------------------------------------------------------------------
@dataclass
class ShareRow:
    """Among the concluded follow-ups a scale (and a band of it) flagged: how many interviews
    confirmed a concern and how many found none (the screening's false positives)."""

    scale: str  # the scale id
    scale_name: str
    band: str  # the band id; "" for the scale's row over all its bands
    band_label: str
    confirmed: int = 0
    no_concern: int = 0
    bands: list[ShareRow] = field(default_factory=list)

    @property
    def concluded(self) -> int:
        return self.confirmed + self.no_concern

    @property
    def share(self) -> Decimal | None:
        """The share of no-concern conclusions (0 to 1), None with no concluded interview."""
        if not self.concluded:
            return None
        return Decimal(self.no_concern) / Decimal(self.concluded)

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else int((share * 100).quantize(Decimal(1)))


def false_positive_shares(follow_ups: QuerySet[FollowUp]) -> list[ShareRow]:
    """Per scale (and per band within it): among ``follow_ups`` (scoped by the caller) that
    are concluded, the count confirmed and found no concern, and the no-concern share.

    A follow-up two scales flagged counts for each of them. Each scale row comes with its band
    rows (``bands``), in the order of the scale's definition."""
    counts = (
        Response.objects.filter(
            follow_up=True,
            participation__follow_up__in=follow_ups.filter(conclusion__in=CONCLUDED).values("pk"),
        )
        .values("scale_id", "scale_version", "band", "participation__follow_up__conclusion")
        .annotate(n=Count("pk"))
        .order_by("scale_id", "scale_version", "band")
    )
    scales: dict[str, ShareRow] = {}
    bands: dict[tuple[str, str], ShareRow] = {}
    band_order: dict[tuple[str, str], int] = defaultdict(lambda: 999)
    for row in counts:
        scale_id, version, band = row["scale_id"], row["scale_version"], row["band"]
        conclusion = row["participation__follow_up__conclusion"]
        scale = scales.setdefault(
            scale_id, ShareRow(scale_id, scale_name(scale_id, version), "", "")
        )
        banded = bands.get((scale_id, band))
        if banded is None:
            banded = bands[(scale_id, band)] = ShareRow(
                scale_id, scale.scale_name, band, band_label(scale_id, version, band) or "—"
            )
            scale.bands.append(banded)
            definition = definition_of(scale_id, version)
            if definition is not None:
                ids = [b.id for b in definition.total.bands]
                band_order[(scale_id, band)] = ids.index(band) if band in ids else 999
        for target in (scale, banded):
            if conclusion == FollowUp.Conclusion.CONFIRMED:
                target.confirmed += row["n"]
            else:
                target.no_concern += row["n"]
    for scale in scales.values():
        scale.bands.sort(key=lambda b: (band_order[(scale.scale, b.band)], b.band))
    return sorted(scales.values(), key=lambda s: s.scale_name)


# --- one participation's results -----------------------------------------------------------------
@dataclass
class AnswerRow:
    item: str
    number: int
    wording: str
    value: int | None
    label: str
    critical: bool


@dataclass
class ResultView:
    """One scored response as the counseling side reads it."""

    response: Response
    definition: ScaleDefinition | None
    name: str
    band_label: str
    critical_items: list[str]
    prorated: bool
    missing: list[str]
    subscales: list[dict]
    answers: list[AnswerRow]


def result_views(responses) -> list[ResultView]:
    """The responses with their wording, labels and what a rescoring by the same definition
    version says of them (which answers were critical, whether the total was prorated)."""
    views = []
    for response in responses:
        definition = definition_of(response.scale_id, response.scale_version)
        answers = json.loads(response.answers or "{}")
        critical_items, prorated, missing, rows, subscales = [], False, [], [], []
        if definition is not None:
            try:
                scored = score_answers(definition, answers)
            except AnswerError:
                scored = None
            if scored is not None:
                critical_items = [hit.item for hit in scored.critical]
                prorated = scored.total.prorated
                missing = list(scored.total.missing)
            for number, item in enumerate(definition.items, start=1):
                value = answers.get(item.id)
                option = next((o for o in definition.item_options(item) if o.value == value), None)
                rows.append(
                    AnswerRow(
                        item=item.id,
                        number=number,
                        wording=in_language(item.text) or in_language(item.topic) or item.id,
                        value=value,
                        label=in_language(option.label) if option else "",
                        critical=item.id in critical_items,
                    )
                )
            for score in definition.subscales:
                stored = (response.subscales or {}).get(score.id, {})
                found = next((b for b in score.bands if b.id == stored.get("band")), None)
                subscales.append(
                    {
                        "name": in_language(score.name),
                        "value": stored.get("value"),
                        "band": in_language(found.label) if found else stored.get("band", ""),
                        "valid": stored.get("valid"),
                    }
                )
        views.append(
            ResultView(
                response=response,
                definition=definition,
                name=in_language(definition.name) if definition else response.scale_id,
                band_label=band_label(response.scale_id, response.scale_version, response.band),
                critical_items=critical_items,
                prorated=prorated,
                missing=missing,
                subscales=subscales,
                answers=rows,
            )
        )
    return views


def scored_responses(participation: Participation, user) -> QuerySet[Response]:
    return Response.objects.for_user(user).filter(
        participation=participation, scored_at__isnull=False
    )


# --- the case page -------------------------------------------------------------------------------
def student_results(user, student_id: int) -> QuerySet[Response]:
    """Every scored result of a student the counseling side may read, newest first: those of
    the campaigns and those given during cases."""
    return (
        Response.objects.for_user(user)
        .filter(participation__student_id=student_id, scored_at__isnull=False)
        .select_related("participation__campaign", "participation__given_by")
        .order_by("-scored_at", "-pk")
    )


def child_participations(user) -> QuerySet[Participation]:
    """A guardian's children's places in the announced and closed campaigns, newest first
    (their state only: never an answer)."""
    return (
        Participation.objects.for_user(user)
        .filter(
            student__guardian_links__guardian__user_id=user.pk,
            campaign__state__in=[Campaign.State.ANNOUNCED, Campaign.State.CLOSED],
        )
        .select_related("campaign", "student")
        .order_by("-campaign__opens_at", "student__name", "pk")
    )


def case_pending(user, case_id: int) -> QuerySet[Participation]:
    """Scales given during the case and not answered yet."""
    return (
        Participation.objects.for_user(user)
        .filter(case_id=case_id)
        .exclude(state=Participation.State.SUBMITTED)
        .select_related("given_by")
        .order_by("-pk")
    )
