"""Wording files: a school adds the language version of a built-in scale without touching how
it is scored; a wording that does not fit its scale is named with the file and the problem."""

import pytest

from xinqiao.screening.library import BUILT_IN_DIR, DEMO_WORDINGS_DIR, load_library
from xinqiao.screening.scoring import score_answers

WORDING = (DEMO_WORDINGS_DIR / "phq9.zh-Hans.yaml").read_text(encoding="utf-8")


def test_the_demo_wordings_make_their_scales_administrable_and_say_they_are_not_validated():
    library, errors = load_library([BUILT_IN_DIR, DEMO_WORDINGS_DIR])
    assert errors == []
    for scale_id in ("phq9", "who5", "cesd"):
        definition = library.get(scale_id, "1.0")
        assert definition.administrable
        assert definition.languages == ("zh-Hans",)
        assert not definition.wording_validated
        assert all(item.text["zh-Hans"] for item in definition.items)
        assert all(option.label["zh-Hans"] for option in definition.options)
    assert not library.get("k10", "1.0").administrable


def test_a_wording_changes_no_score():
    bare, _errors = load_library([BUILT_IN_DIR])
    worded, _errors = load_library([BUILT_IN_DIR, DEMO_WORDINGS_DIR])
    answers = {f"q{i}": i % 4 for i in range(1, 10)}
    assert score_answers(bare.get("phq9", "1.0"), answers) == score_answers(
        worded.get("phq9", "1.0"), answers
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("wording_for: phq9", "wording_for: phq10"), "no scale 'phq10'"),
        (("  q9: 有不如死掉或用某种方式伤害自己的念头\n", ""), "missing ['q9']"),
        (("3: 几乎每天}", "3: 几乎每天, 4: 总是}"), "options must label exactly"),
        (("validated: false\n", ""), "validated"),
    ],
)
def test_a_wording_that_does_not_fit_is_named_with_its_problem(tmp_path, change, problem):
    broken = WORDING.replace(*change)
    assert broken != WORDING
    (tmp_path / "phq9.zh-Hans.yaml").write_text(broken, encoding="utf-8")
    library, errors = load_library([BUILT_IN_DIR, tmp_path])
    assert len(errors) == 1
    assert "phq9.zh-Hans.yaml" in errors[0] and problem in errors[0]
    assert not library.get("phq9", "1.0").administrable
