"""Each built-in scale scores its published answer patterns to the published totals and bands."""

from fractions import Fraction

import pytest

from xinqiao.screening.library import BUILT_IN_DIR, load_library
from xinqiao.screening.scoring import AnswerError, score_answers

LIBRARY, ERRORS = load_library([BUILT_IN_DIR])


def scale(scale_id):
    return LIBRARY.get(scale_id, "1.0")


def answers(scale_id, *values):
    definition = scale(scale_id)
    assert len(values) == len(definition.items)
    return dict(zip((item.id for item in definition.items), values, strict=True))


def total_and_band(scale_id, *values):
    result = score_answers(scale(scale_id), answers(scale_id, *values))
    return result.total.value, result.total.band.id if result.total.band else None


def test_the_library_holds_only_the_free_instruments_and_every_file_loads():
    assert ERRORS == []
    assert sorted(LIBRARY.definitions) == [
        ("cesd", "1.0"),
        ("k10", "1.0"),
        ("k6", "1.0"),
        ("phq9", "1.0"),
        ("rses", "1.0"),
        ("who5", "1.0"),
    ]
    for definition in LIBRARY.definitions.values():
        assert definition.licence.status == "free"
        # No item wording was verified: the definitions score but cannot be given to anyone.
        assert definition.languages == ()
        assert not definition.administrable


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ((0,) * 9, 0, "minimal"),
        ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "minimal"),
        ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild"),
        ((1, 1, 1, 1, 1, 1, 1, 1, 1), 9, "mild"),
        ((2, 1, 1, 1, 1, 1, 1, 1, 1), 10, "moderate"),
        ((2, 2, 2, 2, 2, 1, 1, 1, 1), 14, "moderate"),
        ((2, 2, 2, 2, 2, 2, 1, 1, 1), 15, "moderately_severe"),
        ((3, 3, 3, 2, 2, 2, 2, 2, 0), 19, "moderately_severe"),
        ((3, 3, 3, 3, 2, 2, 2, 2, 0), 20, "severe"),
        ((3,) * 9, 27, "severe"),
    ],
)
def test_phq9_totals_and_severity_bands(values, total, band):
    assert total_and_band("phq9", *values) == (total, band)


def test_phq9_item_9_raises_a_high_alert_whatever_the_total():
    for value in (1, 2, 3):
        result = score_answers(scale("phq9"), answers("phq9", 0, 0, 0, 0, 0, 0, 0, 0, value))
        assert result.total.band.id == "minimal"
        assert [(h.item, h.value, h.level) for h in result.critical] == [("q9", value, "high")]
        assert result.alert_level == "high"
    quiet = score_answers(scale("phq9"), answers("phq9", 3, 3, 3, 3, 3, 3, 3, 3, 0))
    assert quiet.critical == () and quiet.alert_level is None


def test_phq9_prorates_one_or_two_missing_answers_and_refuses_three():
    definition = scale("phq9")
    # Two missing, 7 answered summing 10: 10 / 7 × 9 = 90/7 ≈ 12.86, banded as 13 (moderate).
    two_missing = answers("phq9", 2, 2, 2, 1, 1, 1, 1, None, None)
    result = score_answers(definition, two_missing)
    assert result.valid and result.total.prorated
    assert result.total.value == Fraction(90, 7)
    assert result.total.banded_value == 13
    assert result.total.band.id == "moderate"
    assert result.total.missing == ("q8", "q9")
    three_missing = answers("phq9", 3, 3, 3, 3, 3, 3, None, None, None)
    invalid = score_answers(definition, three_missing)
    assert not invalid.valid
    assert invalid.total.value is None and invalid.total.band is None


def test_phq9_an_invalid_response_still_raises_its_critical_answer():
    result = score_answers(scale("phq9"), {"q9": 2})
    assert not result.valid
    assert result.alert_level == "high"


def test_a_result_records_the_scale_and_version_that_scored_it():
    result = score_answers(scale("phq9"), answers("phq9", *(0,) * 9))
    assert (result.scale_id, result.version) == ("phq9", "1.0")


def test_an_answer_outside_the_scale_is_refused():
    with pytest.raises(AnswerError, match="q1"):
        score_answers(scale("phq9"), {"q1": 4})
    with pytest.raises(AnswerError, match="q10"):
        score_answers(scale("phq9"), {"q10": 0})


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ((1,) * 10, 10, "low"),
        ((2, 2, 2, 2, 2, 1, 1, 1, 1, 1), 15, "low"),
        ((2, 2, 2, 2, 2, 2, 1, 1, 1, 1), 16, "moderate"),
        ((3, 3, 2, 2, 2, 2, 2, 2, 2, 1), 21, "moderate"),
        ((3, 3, 3, 2, 2, 2, 2, 2, 2, 1), 22, "high"),
        ((3, 3, 3, 3, 3, 3, 3, 3, 3, 2), 29, "high"),
        ((3,) * 10, 30, "very_high"),
        ((5,) * 10, 50, "very_high"),
    ],
)
def test_k10_australian_scoring_and_abs_bands(values, total, band):
    assert total_and_band("k10", *values) == (total, band)


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ((0,) * 6, 0, "low"),
        ((1, 1, 1, 1, 0, 0), 4, "low"),
        ((1, 1, 1, 1, 1, 0), 5, "moderate"),
        ((2, 2, 2, 2, 2, 2), 12, "moderate"),
        ((3, 2, 2, 2, 2, 2), 13, "serious"),
        ((4,) * 6, 24, "serious"),
    ],
)
def test_k6_totals_and_the_serious_distress_cut_off(values, total, band):
    assert total_and_band("k6", *values) == (total, band)


@pytest.mark.parametrize(
    ("values", "raw", "percentage", "band"),
    [
        ((0,) * 5, 0, 0, "poor"),
        ((3, 3, 2, 2, 2), 12, 48, "poor"),
        ((3, 3, 3, 2, 2), 13, 52, "not_poor"),
        ((5,) * 5, 25, 100, "not_poor"),
    ],
)
def test_who5_raw_percentage_and_the_poor_well_being_cut_off(values, raw, percentage, band):
    result = score_answers(scale("who5"), answers("who5", *values))
    assert result.total.value == raw
    assert result.total.scaled == percentage
    assert result.total.band.id == band


REVERSED_CESD = {4, 8, 12, 16}


def cesd_values(forward, reversed_):
    """Every forward item answered `forward`, every reversed item answered `reversed_`."""
    return tuple(reversed_ if n in REVERSED_CESD else forward for n in range(1, 21))


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        # All "rarely": the four positive items count 3 each.
        (cesd_values(0, 0), 12, "below_cutoff"),
        (cesd_values(0, 3), 0, "below_cutoff"),
        (cesd_values(3, 0), 60, "major_depressive"),
        (cesd_values(1, 3), 16, "below_cutoff"),
        ((2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 0, 0, 0, 3, 0, 0, 0, 0), 18, "below_cutoff"),
        ((2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 1, 3, 0, 0, 0, 0), 23, "below_cutoff"),
        ((2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 0, 0, 0, 0), 24, "any_depressive"),
        ((2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 0, 0), 28, "any_depressive"),
        ((2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 1, 0), 29, "major_depressive"),
    ],
)
def test_cesd_reverses_items_4_8_12_16_and_bands_by_the_chinese_adolescent_cut_offs(
    values, total, band
):
    assert total_and_band("cesd", *values) == (total, band)


def test_cesd_one_missing_answer_leaves_it_unscored():
    values = answers("cesd", *cesd_values(1, 1))
    values["q20"] = None
    assert not score_answers(scale("cesd"), values).valid


@pytest.mark.parametrize(
    ("values", "total"),
    [
        # UMD: agree-ing with the positive items 1, 3, 4, 7, 10 and disagreeing with the others.
        ((3, 0, 3, 3, 0, 0, 3, 0, 0, 3), 30),
        ((0, 3, 0, 0, 3, 3, 0, 3, 3, 0), 0),
        ((2,) * 10, 15),
        ((3,) * 10, 15),
    ],
)
def test_rses_reverses_items_2_5_6_8_9_and_has_no_bands(values, total):
    assert total_and_band("rses", *values) == (total, None)
