"""The scoring engine: a definition and the answers in, scores, bands and critical answers out.

Pure Python and exact: sums are `Fraction`s, so a prorated total (the mean of the answered items
times the number of items, as the PHQ-9's published rule has it) is kept unrounded; it is banded
on its value rounded half up, and the result says it was prorated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from xinqiao.screening.definitions import (
    ALERT_LEVELS,
    Band,
    Item,
    Option,
    ScaleDefinition,
    Score,
)


class AnswerError(ValueError):
    """Answers that do not belong to the definition (an unknown item or answer value)."""


@dataclass(frozen=True)
class ScoreResult:
    id: str
    valid: bool  # False: more missing answers than the published rule allows; no value then
    value: Fraction | None  # the raw sum, prorated when answers are missing
    scaled: Fraction | None  # value × the score's multiplier (e.g. the WHO-5 percentage)
    prorated: bool
    missing: tuple[str, ...]
    band: Band | None

    @property
    def banded_value(self) -> int | None:
        return round_half_up(self.value) if self.value is not None else None


@dataclass(frozen=True)
class CriticalHit:
    item: str
    value: int
    level: str


@dataclass(frozen=True)
class ScaleResult:
    scale_id: str
    version: str  # the definition version that scored it: rescoring stays possible
    total: ScoreResult
    subscales: dict[str, ScoreResult]
    critical: tuple[CriticalHit, ...]  # raised whatever the total, even when it is invalid

    @property
    def valid(self) -> bool:
        return self.total.valid

    @property
    def alert_level(self) -> str | None:
        """The highest level among the critical answers given, None without any."""
        levels = [hit.level for hit in self.critical]
        return max(levels, key=ALERT_LEVELS.index) if levels else None


def round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def item_score(definition: ScaleDefinition, item: Item, value: int) -> int:
    options = definition.item_options(item)
    by_value = {option.value: option.score for option in options}
    if value not in by_value:
        raise AnswerError(f"{definition.id} item {item.id}: no answer {value!r}")
    return reverse_score(options, by_value[value]) if item.reverse else by_value[value]


def reverse_score(options: tuple[Option, ...], score: int) -> int:
    """The score mirrored within the options' range (3-2-1-0 for 0-1-2-3)."""
    scores = [option.score for option in options]
    return min(scores) + max(scores) - score


def score_answers(definition: ScaleDefinition, answers: Mapping[str, int | None]) -> ScaleResult:
    """Score one response; `answers` maps item ids to answer values, None or absent = missing."""
    unknown = sorted(set(answers) - {item.id for item in definition.items})
    if unknown:
        raise AnswerError(f"{definition.id}: no item(s) {', '.join(unknown)}")
    item_scores = {
        item.id: item_score(definition, item, answers[item.id])
        for item in definition.items
        if answers.get(item.id) is not None
    }
    critical = tuple(
        CriticalHit(rule.item, answers[rule.item], rule.level)
        for rule in definition.critical
        if answers.get(rule.item) in rule.values
    )
    return ScaleResult(
        scale_id=definition.id,
        version=definition.version,
        total=_score(definition, definition.total, item_scores),
        subscales={s.id: _score(definition, s, item_scores) for s in definition.subscales},
        critical=critical,
    )


def _score(definition: ScaleDefinition, score: Score, item_scores: dict[str, int]) -> ScoreResult:
    items = definition.score_items(score)
    answered = [item_scores[item.id] for item in items if item.id in item_scores]
    missing = tuple(item.id for item in items if item.id not in item_scores)
    rule = definition.missing_rule(score)
    if len(missing) > rule.max_missing or not answered:
        return ScoreResult(score.id, False, None, None, False, missing, None)
    value = Fraction(sum(answered))
    if missing:  # handling is "prorate": the mean of the answered items for every item
        value = value * len(items) / len(answered)
    rounded = round_half_up(value)
    band = next((b for b in score.bands if b.min <= rounded <= b.max), None)
    return ScoreResult(
        score.id, True, value, value * score.multiplier, bool(missing), missing, band
    )
