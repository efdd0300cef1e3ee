"""Scale definitions: YAML files validated on load, every error naming the file and the line.

A definition says how an instrument is scored as published: items and their response options,
reverse-scored items, subscales and the total, the missing-answer rule, bands with cut-offs and
the critical answers that raise an alert at once. Item wording is shipped only where it was
verified; a definition lists the language versions whose every item and option it carries, and
one with none can score answers but cannot be given to anyone (see `administrable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

PRIMARY_LANGUAGE = "zh-Hans"
ALERT_LEVELS = ("concern", "high", "crisis")  # the crisis app's levels, lowest first

Text = dict[str, str]  # language code -> text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    value: int  # what is stored as the answer
    score: int  # what it counts before any reversal
    label: Text = {}


class Item(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    topic: Text = {}  # a short topic of our own, never the item's wording
    text: Text = {}  # the verified wording, per language version
    reverse: bool = False
    options: tuple[Option, ...] | None = None  # None: the scale's options


class MissingRule(_Strict):
    """How many unanswered items a score tolerates and what is done about them."""

    max_missing: int = Field(ge=0)
    handling: Literal["prorate", "invalid"]
    source: str  # where the rule comes from (or why this conservative rule was chosen)


class Band(_Strict):
    id: str
    min: int
    max: int
    label: Text
    follow_up: bool = False  # a score in this band puts the student on the follow-up list


class Score(_Strict):
    """The total or a subscale: a sum of item scores, banded on the (rounded) raw sum."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Text
    items: tuple[str, ...] | None = None  # None (total only): every item
    missing: MissingRule | None = None  # None: the scale's rule
    multiplier: int = Field(default=1, ge=1)  # e.g. the WHO-5 percentage score (raw × 4)
    bands: tuple[Band, ...] = ()
    bands_source: str = ""


class CriticalAnswer(_Strict):
    item: str
    values: tuple[int, ...]  # answer values as stored (Option.value), not scores
    level: Literal["concern", "high", "crisis"]
    reason: Text
    source: str


class Licence(_Strict):
    status: Literal["free", "licensed", "unverified"]
    holder: str
    terms: str
    attribution: str = ""
    source: str


class Ages(_Strict):
    min: int = Field(ge=3, le=99)
    max: int | None = Field(default=None, ge=3, le=99)
    note: str = ""


class WordingSource(_Strict):
    source: str  # the translation used and its validation study
    validated: bool  # False: a wording for trying the product, never for a real screening


class Wording(_Strict):
    """A language version of a scale, in a file of its own: the school adds the validated
    translation it uses to a built-in definition without touching how it is scored."""

    wording_for: str
    version: str
    language: str = Field(pattern=r"^[a-z]{2}(-[A-Za-z]+)?$")
    source: str
    validated: bool
    instructions: str = ""
    options: dict[int, str]
    items: dict[str, str]


class ScaleDefinition(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str = Field(pattern=r"^[0-9A-Za-z.+_-]+$")
    name: Text
    languages: tuple[str, ...] = ()  # language versions whose whole wording this file carries
    ages: Ages
    licence: Licence
    citation: str
    options: tuple[Option, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)
    missing: MissingRule
    total: Score
    subscales: tuple[Score, ...] = ()
    critical: tuple[CriticalAnswer, ...] = ()
    unverified: tuple[str, ...] = ()  # what the sources left unverified, kept out of the scoring
    instructions: Text = {}  # what the respondent is told first, per language version
    # Where each language version's wording comes from (a wording file, see `Wording`).
    wording_sources: dict[str, WordingSource] = {}

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.version)

    @property
    def administrable(self) -> bool:
        """Whether it may be given to anyone: a usable licence and at least one full wording."""
        return self.licence.status != "unverified" and bool(self.languages)

    def with_wording(self, wording: Wording) -> ScaleDefinition:
        """This definition with ``wording``'s language version added (scoring unchanged)."""
        lang = wording.language
        option_values = {o.value for item in self.items for o in self.item_options(item)}
        missing = [item.id for item in self.items if item.id not in wording.items]
        unknown = sorted(set(wording.items) - {item.id for item in self.items})
        if missing or unknown:
            raise ValueError(
                f"items must be exactly those of {self.id} {self.version}: "
                f"missing {missing or '-'}, unknown {unknown or '-'}"
            )
        if set(wording.options) != option_values:
            raise ValueError(f"options must label exactly the answers {sorted(option_values)}")

        def labelled(options):
            return tuple(
                o.model_copy(update={"label": {**o.label, lang: wording.options[o.value]}})
                for o in options
            )

        items = tuple(
            item.model_copy(
                update={
                    "text": {**item.text, lang: wording.items[item.id]},
                    "options": labelled(item.options) if item.options is not None else None,
                }
            )
            for item in self.items
        )
        source = WordingSource(source=wording.source, validated=wording.validated)
        return self.model_copy(
            update={
                "items": items,
                "options": labelled(self.options),
                "languages": tuple(dict.fromkeys((*self.languages, lang))),
                "instructions": {**self.instructions, lang: wording.instructions},
                "wording_sources": {**self.wording_sources, lang: source},
            }
        )

    @property
    def wording_validated(self) -> bool:
        """False when a language version comes from a wording file marked not validated."""
        return all(source.validated for source in self.wording_sources.values())

    def item(self, item_id: str) -> Item:
        return self._items_by_id()[item_id]

    def item_options(self, item: Item) -> tuple[Option, ...]:
        return item.options if item.options is not None else self.options

    def score_items(self, score: Score) -> tuple[Item, ...]:
        if score.items is None:
            return self.items
        return tuple(self.item(item_id) for item_id in score.items)

    def missing_rule(self, score: Score) -> MissingRule:
        return score.missing or self.missing

    def score_range(self, score: Score) -> tuple[int, int]:
        """The lowest and highest raw sum of a score (reversal keeps an item's range)."""
        lows, highs = [], []
        for item in self.score_items(score):
            scores = [o.score for o in self.item_options(item)]
            lows.append(min(scores))
            highs.append(max(scores))
        return sum(lows), sum(highs)

    def _items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    message: str


class ScaleDefinitionError(ValueError):
    """A definition file that cannot be used; the message names the file, the line and why."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


def load_definition(path: Path) -> ScaleDefinition | Wording:
    """A scale definition, or a wording file (one with ``wording_for``) to add to one."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ScaleDefinitionError(
            path, mark.line + 1 if mark else None, f"not valid YAML: {error.problem}"
        ) from None
    if not isinstance(data, dict):
        raise ScaleDefinitionError(path, 1, "a scale definition must be a mapping of fields")
    duplicate = _duplicate_key(root)
    if duplicate is not None:  # YAML would silently keep the last one
        raise ScaleDefinitionError(
            path, duplicate.start_mark.line + 1, f"{duplicate.value!r} is given twice"
        )
    if "wording_for" in data:
        try:
            return Wording.model_validate(data)
        except ValidationError as error:
            loc = tuple(error.errors()[0]["loc"])
            raise ScaleDefinitionError(
                path, _line_of(root, loc), f"{_dotted(loc)}: {error.errors()[0]['msg']}"
            ) from None
    try:
        definition = ScaleDefinition.model_validate(data)
    except ValidationError as error:
        # A misspelt field also leaves the right one missing: name the misspelling first.
        first = min(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
        loc = tuple(first["loc"])
        raise ScaleDefinitionError(
            path, _line_of(root, loc), f"{_dotted(loc)}: {first['msg']}"
        ) from None
    problems = check_consistency(definition)
    if problems:
        first = problems[0]
        raise ScaleDefinitionError(
            path, _line_of(root, first.loc), f"{_dotted(first.loc)}: {first.message}"
        )
    return definition


def check_consistency(d: ScaleDefinition) -> list[Problem]:
    """What the field types cannot say: references, ranges, bands covering every score."""
    problems: list[Problem] = []
    if PRIMARY_LANGUAGE not in d.name:
        problems.append(Problem(("name",), f"needs a {PRIMARY_LANGUAGE} name"))
    item_ids = [item.id for item in d.items]
    for index, item in enumerate(d.items):
        if item_ids.index(item.id) != index:
            problems.append(Problem(("items", index, "id"), f"item {item.id!r} appears twice"))
        options = d.item_options(item)
        if not options:
            problems.append(Problem(("items", index), "has no response options"))
        values = [o.value for o in options]
        if len(set(values)) != len(values):
            problems.append(Problem(("items", index), "two response options share a value"))
        for language in d.languages:
            if language not in item.text:
                problems.append(
                    Problem(("items", index), f"has no {language} wording, yet lists it")
                )
            if any(language not in o.label for o in options):
                problems.append(
                    Problem(("items", index), f"an option has no {language} label, yet lists it")
                )
    for index, score in enumerate((d.total, *d.subscales)):
        loc = ("total",) if index == 0 else ("subscales", index - 1)
        problems += _check_score(d, score, loc, set(item_ids))
    subscale_ids = [s.id for s in d.subscales]
    if len(set(subscale_ids)) != len(subscale_ids) or d.total.id in subscale_ids:
        problems.append(Problem(("subscales",), "two scores share an id"))
    for index, critical in enumerate(d.critical):
        loc = ("critical", index)
        if critical.item not in item_ids:
            problems.append(Problem((*loc, "item"), f"no item {critical.item!r}"))
            continue
        known = {o.value for o in d.item_options(d.item(critical.item))}
        if not set(critical.values) <= known:
            problems.append(Problem((*loc, "values"), f"not all answers of {critical.item!r}"))
    if d.ages.max is not None and d.ages.max < d.ages.min:
        problems.append(Problem(("ages",), "max is below min"))
    return problems


def _check_score(
    d: ScaleDefinition, score: Score, loc: tuple[str | int, ...], item_ids: set[str]
) -> list[Problem]:
    if score.items is not None:
        unknown = [i for i in score.items if i not in item_ids]
        if unknown:
            return [Problem((*loc, "items"), f"no such item(s): {', '.join(unknown)}")]
        if len(set(score.items)) != len(score.items):
            return [Problem((*loc, "items"), "an item is listed twice")]
    problems = []
    count = len(d.score_items(score))
    rule = d.missing_rule(score)
    rule_loc = (*loc, "missing") if score.missing else ("missing",)
    if rule.handling == "invalid" and rule.max_missing:
        problems.append(Problem(rule_loc, "handling 'invalid' allows no missing answer"))
    if rule.handling == "prorate" and not 0 < rule.max_missing < count:
        problems.append(Problem(rule_loc, f"prorating needs 1 to {count - 1} missing answers"))
    if score.bands:
        low, high = d.score_range(score)
        expected = low
        for index, band in enumerate(score.bands):
            if band.min != expected or band.max < band.min:
                problems.append(
                    Problem(
                        (*loc, "bands", index),
                        f"bands must run from {low} to {high} without gap or overlap; "
                        f"this one should start at {expected}",
                    )
                )
                break
            expected = band.max + 1
        else:
            if expected != high + 1:
                problems.append(Problem((*loc, "bands"), f"the last band must end at {high}"))
    if PRIMARY_LANGUAGE not in score.name:
        problems.append(Problem((*loc, "name"), f"needs a {PRIMARY_LANGUAGE} name"))
    return problems


def _duplicate_key(node: yaml.Node) -> yaml.Node | None:
    """The first key node repeated within its mapping, anywhere in the document."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                return key
            seen.add(key.value)
            found = _duplicate_key(value)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found = _duplicate_key(child)
            if found is not None:
                return found
    return None


def _line_of(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest node the location reaches in the composed YAML."""
    node = root
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            child = node.value[part]
        else:
            break
        node = child
    return node.start_mark.line + 1 if node is not None else None


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top)"
