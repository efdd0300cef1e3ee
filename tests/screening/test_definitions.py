"""A broken definition file is refused with its file, its line and the problem."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from xinqiao.screening.definitions import ScaleDefinitionError, load_definition
from xinqiao.screening.library import BUILT_IN_DIR, load_library

PHQ9 = (BUILT_IN_DIR / "phq9.yaml").read_text(encoding="utf-8")


def line_of(text, fragment, occurrence=1):
    lines = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return lines[occurrence - 1]


def write(tmp_path, text, name="school.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path):
    with pytest.raises(ScaleDefinitionError) as caught:
        load_definition(path)
    return caught.value


def test_a_yaml_syntax_error_names_the_file_and_the_line(tmp_path):
    broken = PHQ9.replace("  - {id: q4}", "  - {id: q4")
    error = refusal(write(tmp_path, broken))
    assert error.path.endswith("school.yaml")
    assert str(error).startswith(f"{error.path}:{error.line}: not valid YAML")
    assert line_of(broken, "{id: q4") <= error.line <= line_of(broken, "{id: q4") + 1


def test_a_wrong_field_value_names_the_line_it_is_on(tmp_path):
    broken = PHQ9.replace("{value: 2, score: 2,", "{value: 2, score: two,")
    error = refusal(write(tmp_path, broken))
    assert error.line == line_of(broken, "score: two")
    assert "options.2.score" in error.problem


def test_an_unknown_field_and_an_unknown_alert_level_are_refused(tmp_path):
    error = refusal(write(tmp_path, PHQ9.replace("    level: high", "    level: urgent")))
    assert error.line == line_of(PHQ9, "    level: high")
    assert "critical.0.level" in error.problem
    typo = PHQ9.replace("  max_missing: 2", "  max_mising: 2")
    error = refusal(write(tmp_path, typo))
    assert error.line == line_of(typo, "max_mising")
    assert "missing.max_mising: Extra inputs are not permitted" in error.problem


def test_bands_with_a_gap_are_refused_at_the_band(tmp_path):
    broken = PHQ9.replace("{id: mild, min: 5, max: 9,", "{id: mild, min: 6, max: 9,")
    error = refusal(write(tmp_path, broken))
    assert error.line == line_of(broken, "{id: mild")
    assert "should start at 5" in error.problem


def test_a_critical_answer_on_an_unknown_item_is_refused_at_its_line(tmp_path):
    broken = PHQ9.replace("  - item: q9", "  - item: q99")
    error = refusal(write(tmp_path, broken))
    assert error.line == line_of(broken, "item: q99")
    assert "no item 'q99'" in error.problem


def test_a_listed_language_must_carry_every_wording(tmp_path):
    broken = PHQ9.replace("languages: []", "languages: [zh-Hans]")
    error = refusal(write(tmp_path, broken))
    assert error.line == line_of(broken, "{id: q1}")
    assert "no zh-Hans wording" in error.problem


def test_a_school_scale_joins_the_library_and_a_reused_version_is_refused(tmp_path):
    school = tmp_path / "scales"
    school.mkdir()
    write(school, PHQ9.replace('version: "1.0"', 'version: "1.0-school"'), "phq9-school.yaml")
    library, errors = load_library([BUILT_IN_DIR, school])
    assert errors == []
    assert library.get("phq9", "1.0-school").version == "1.0-school"
    shutil.copy(BUILT_IN_DIR / "phq9.yaml", school / "phq9-copy.yaml")
    library, errors = load_library([BUILT_IN_DIR, school])
    assert len(errors) == 1
    assert "phq9-copy.yaml" in errors[0] and "already defined" in errors[0]
    assert library.get("phq9", "1.0").version == "1.0"


def test_check_scales_names_each_broken_file_and_fails(tmp_path, settings, capsys):
    settings.DATA_DIR = tmp_path
    (tmp_path / "scales").mkdir()
    call_command("check_scales")
    assert "phq9 1.0\tscoring only, no wording" in capsys.readouterr().out
    write(tmp_path / "scales", "id: broken\nversion: [\n", "broken.yaml")
    with pytest.raises(CommandError, match="1 scale file"):
        call_command("check_scales")
    assert "broken.yaml:" in capsys.readouterr().err


def test_a_field_given_twice_is_refused_rather_than_silently_overridden(tmp_path):
    broken = PHQ9.replace("  max_missing: 2\n", "  max_missing: 2\n  max_missing: 9\n")
    error = refusal(write(tmp_path, broken))
    assert error.line == line_of(broken, "max_missing: 9")
    assert "'max_missing' is given twice" in error.problem


def test_only_a_worded_scale_with_a_usable_licence_can_be_given(tmp_path):
    worded = PHQ9.replace("languages: []", "languages: [zh-Hans]")
    for n in range(1, 10):
        worded = worded.replace(
            f"  - {{id: q{n}}}\n" if n < 9 else "  - id: q9\n",
            f"  - id: q{n}\n    text: {{zh-Hans: 第{n}题（学校持有的译本）}}\n",
        )
    for value, label in enumerate(("完全不会", "好几天", "一半以上的天数", "几乎每天")):
        worded = worded.replace(
            f"score: {value}, label: {{en:", f"score: {value}, label: {{zh-Hans: {label}, en:"
        )
    definition = load_definition(write(tmp_path, worded))
    assert definition.languages == ("zh-Hans",)
    assert definition.item("q3").text == {"zh-Hans": "第3题（学校持有的译本）"}
    assert definition.administrable
    unverified = load_definition(
        write(tmp_path, worded.replace("status: free", "status: unverified"))
    )
    assert not unverified.administrable
