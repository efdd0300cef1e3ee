"""Properties of the scoring engine over generated definitions and answers (hypothesis)."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from xinqiao.screening.definitions import ScaleDefinition, check_consistency
from xinqiao.screening.library import BUILT_IN_DIR, load_library
from xinqiao.screening.scoring import reverse_score, round_half_up, score_answers

BUILT_IN = sorted(load_library([BUILT_IN_DIR])[0].definitions.values(), key=lambda d: d.id)


@st.composite
def definitions(draw, with_bands=True):
    count = draw(st.integers(1, 12))
    low = draw(st.integers(0, 1))
    high = low + draw(st.integers(1, 5))
    reverse = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    prorate = count > 1 and draw(st.booleans())
    rule = (
        {"max_missing": draw(st.integers(1, count - 1)), "handling": "prorate", "source": "t"}
        if prorate
        else {"max_missing": 0, "handling": "invalid", "source": "t"}
    )
    total = {"id": "total", "name": {"zh-Hans": "总分"}}
    if with_bands:
        cuts = sorted(draw(st.sets(st.integers(low * count + 1, high * count), max_size=3)))
        starts = [low * count, *cuts]
        ends = [c - 1 for c in cuts] + [high * count]
        total["bands"] = [
            {"id": f"b{i}", "min": a, "max": b, "label": {"zh-Hans": "档"}}
            for i, (a, b) in enumerate(zip(starts, ends, strict=True))
        ]
    split = draw(st.integers(1, count))  # two subscales when 1 <= split < count
    subscales = [
        {
            "id": f"s{n}",
            "name": {"zh-Hans": "分量表"},
            "items": [f"q{i}" for i in part],
            "missing": {"max_missing": 0, "handling": "invalid", "source": "t"},
        }
        for n, part in enumerate((range(split), range(split, count)))
        if split < count
    ]
    definition = ScaleDefinition.model_validate(
        {
            "id": "generated",
            "subscales": subscales,
            "version": "1",
            "name": {"zh-Hans": "生成的量表"},
            "ages": {"min": 10},
            "licence": {"status": "free", "holder": "h", "terms": "t", "source": "s"},
            "citation": "c",
            "options": [{"value": v, "score": v} for v in range(low, high + 1)],
            "items": [{"id": f"q{n}", "reverse": r} for n, r in enumerate(reverse)],
            "missing": rule,
            "total": total,
        }
    )
    assert check_consistency(definition) == []
    return definition


@st.composite
def answered(draw, definition, allow_missing=True):
    answers = {}
    for item in definition.items:
        values = [o.value for o in definition.item_options(item)]
        choice = st.sampled_from(values)
        answers[item.id] = draw(st.none() | choice if allow_missing else choice)
    return answers


def _flipped(definition):
    items = [item.model_copy(update={"reverse": not item.reverse}) for item in definition.items]
    return definition.model_copy(update={"items": tuple(items)})


@given(st.data())
def test_a_valid_total_prorated_or_not_stays_within_the_scale_range_and_has_a_band(data):
    definition = data.draw(definitions())
    answers = data.draw(answered(definition))
    result = score_answers(definition, answers)
    missing = sum(value is None for value in answers.values())
    assert result.valid == (missing <= definition.missing.max_missing and missing < len(answers))
    if result.valid:
        low, high = definition.score_range(definition.total)
        assert low <= result.total.value <= high
        assert low <= result.total.banded_value <= high
        assert result.total.band is not None
        assert result.total.prorated == (missing > 0)
    else:
        assert result.total.value is None and result.total.band is None


@given(st.data())
def test_prorating_substitutes_the_mean_of_the_answered_items(data):
    definition = data.draw(definitions(with_bands=False))
    answers = data.draw(answered(definition))
    result = score_answers(definition, answers)
    if result.valid:
        complete = {k: v for k, v in answers.items() if v is not None}
        answered_sum = sum(
            reverse_score(definition.options, v) if definition.item(k).reverse else v
            for k, v in complete.items()
        )
        expected = Fraction(answered_sum, len(complete)) * len(definition.items)
        assert result.total.value == expected


@given(st.data())
def test_reversing_twice_is_the_identity_and_flipping_every_item_mirrors_the_total(data):
    definition = data.draw(definitions(with_bands=False))
    for option in definition.options:
        assert reverse_score(
            definition.options, reverse_score(definition.options, option.score)
        ) == (option.score)
    answers = data.draw(answered(definition, allow_missing=False))
    low, high = definition.score_range(definition.total)
    total = score_answers(definition, answers).total.value
    assert score_answers(_flipped(definition), answers).total.value == low + high - total
    assert score_answers(_flipped(_flipped(definition)), answers).total.value == total


@given(st.data())
def test_every_built_in_scale_scores_any_complete_response_within_its_range(data):
    definition = data.draw(st.sampled_from(BUILT_IN))
    answers = data.draw(answered(definition, allow_missing=False))
    result = score_answers(definition, answers)
    low, high = definition.score_range(definition.total)
    assert result.valid and low <= result.total.value <= high
    assert (result.total.band is not None) == bool(definition.total.bands)
    assert result.total.scaled == result.total.value * definition.total.multiplier


@given(st.fractions(min_value=0, max_value=100))
def test_rounding_half_up_is_within_a_half(value):
    rounded = round_half_up(value)
    assert -Fraction(1, 2) < rounded - value <= Fraction(1, 2)


@given(st.data())
def test_complete_subscales_add_up_to_the_total_and_stay_within_their_ranges(data):
    definition = data.draw(definitions(with_bands=False))
    answers = data.draw(answered(definition))
    result = score_answers(definition, answers)
    for subscale in definition.subscales:
        part = result.subscales[subscale.id]
        if part.valid:
            low, high = definition.score_range(subscale)
            assert low <= part.value <= high
    if definition.subscales and all(v is not None for v in answers.values()):
        assert sum(part.value for part in result.subscales.values()) == result.total.value
