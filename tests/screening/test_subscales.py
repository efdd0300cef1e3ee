"""Subscales, their own missing-answer rules and answer values that differ from their scores."""

from fractions import Fraction

from xinqiao.screening.definitions import ScaleDefinition, check_consistency
from xinqiao.screening.scoring import score_answers

# A made-up instrument: answers stored as 1-4 and counted 0-3, item b2 reverse-scored; subscale
# "a" prorates one missing answer, "b" none; the total allows none.
DEFINITION = ScaleDefinition.model_validate(
    {
        "id": "example",
        "version": "1",
        "name": {"zh-Hans": "示例量表"},
        "ages": {"min": 10},
        "licence": {"status": "free", "holder": "h", "terms": "t", "source": "s"},
        "citation": "c",
        "options": [{"value": v, "score": v - 1} for v in (1, 2, 3, 4)],
        "items": [
            {"id": "a1"},
            {"id": "a2"},
            {"id": "a3"},
            {"id": "b1"},
            {"id": "b2", "reverse": True},
        ],
        "missing": {"max_missing": 0, "handling": "invalid", "source": "s"},
        "total": {"id": "total", "name": {"zh-Hans": "总分"}},
        "subscales": [
            {
                "id": "a",
                "name": {"zh-Hans": "甲"},
                "items": ["a1", "a2", "a3"],
                "missing": {"max_missing": 1, "handling": "prorate", "source": "s"},
                "bands": [
                    {"id": "low", "min": 0, "max": 4, "label": {"zh-Hans": "低"}},
                    {
                        "id": "high",
                        "min": 5,
                        "max": 9,
                        "label": {"zh-Hans": "高"},
                        "follow_up": True,
                    },
                ],
            },
            {"id": "b", "name": {"zh-Hans": "乙"}, "items": ["b1", "b2"]},
        ],
    }
)


def test_the_example_is_consistent():
    assert check_consistency(DEFINITION) == []
    assert DEFINITION.score_range(DEFINITION.subscales[0]) == (0, 9)


def test_each_subscale_sums_its_items_with_reversal_on_the_answer_scores():
    result = score_answers(DEFINITION, {"a1": 4, "a2": 3, "a3": 1, "b1": 2, "b2": 1})
    # a: 3 + 2 + 0 = 5; b: 1 + (3 - 0) = 4; total 9.
    assert result.subscales["a"].value == 5 and result.subscales["a"].band.id == "high"
    assert result.subscales["b"].value == 4 and result.subscales["b"].band is None
    assert result.total.value == 9


def test_a_subscale_prorates_by_its_own_rule_while_the_total_is_unscored():
    result = score_answers(DEFINITION, {"a1": 4, "a2": 3, "b1": 2, "b2": 1})
    assert result.subscales["a"].value == Fraction(15, 2)  # (3 + 2) / 2 × 3
    assert result.subscales["a"].banded_value == 8
    assert result.subscales["a"].prorated
    assert result.subscales["b"].valid and not result.subscales["b"].prorated
    assert not result.total.valid and result.total.missing == ("a3",)
    two_missing = score_answers(DEFINITION, {"a1": 4, "b1": 2, "b2": 1})
    assert not two_missing.subscales["a"].valid
