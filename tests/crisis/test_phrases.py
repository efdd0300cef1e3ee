"""The danger-phrase check: segmentation, negation, the school's list, flags and their tuning."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.cases.factories import case_at
from xinqiao.crisis.models import Alert, DangerPhrase, PhraseFlag
from xinqiao.crisis.phrases import (
    DEFAULT_PHRASES,
    danger_phrases_replace,
    find_danger,
    flag_danger,
    phrase_flag_dismiss,
    phrase_statistics,
    segment,
)

DEFAULTS = {phrase: str(level) for level, phrases in DEFAULT_PHRASES.items() for phrase in phrases}


def found(text: str, phrases=DEFAULTS) -> dict[str, str]:
    return {hit.phrase: hit.level for hit in find_danger(text, phrases)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我不想活了", {"不想活": "crisis"}),
        ("我想死", {"想死": "crisis"}),
        ("好想死啊", {"想死": "crisis"}),
        ("昨天放学后我想跳楼", {"跳楼": "crisis"}),
        ("我觉得活着没意思，想消失", {"活着没意思": "high", "想消失": "high"}),
        ("我快撑不下去了", {"撑不下去": "high"}),
        ("他作文里写想死", {"想死": "crisis"}),
        ("我被欺负了", {"被欺负": "concern"}),
        ("我不想活下去了", {"不想活下去": "crisis"}),
        ("我在想要不要跳楼", {"跳楼": "crisis"}),
        ("你说我是不是想死", {"想死": "crisis"}),
        ("我妈说我还不如死了算了", {"不如死了": "crisis"}),
    ],
)
def test_a_danger_phrase_is_found_with_its_level(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我不想死",
        "我不会自杀的",
        "我没有想过自杀",
        "我不会再想死了",
        "我不是想死，只是很累",
        "不要想不开，别自杀",
        "笑死了，今天作业好多",  # 死 alone is no phrase
        "我不想活动，想回家",  # 不想活动 is not 不想活
        "",
    ],
)
def test_a_negated_phrase_or_an_everyday_word_is_no_danger(text):
    assert found(text) == {}


def test_negation_reaches_only_the_words_right_before_the_phrase():
    # "I have never wanted to die this much": the negator is too far to negate 想死.
    assert found("我从来没有这么想死过") == {"想死": "crisis"}
    # A negated clause does not hide danger in another one.
    assert found("我不想死，但是真的想死") == {"想死": "crisis"}
    assert found("我不想让妈妈知道我想死") == {"想死": "crisis"}


def test_the_phrases_are_the_segmenters_user_dictionary():
    assert "活着没意思" in segment("我觉得活着没意思", ["活着没意思"])
    # A school's own phrase segments as one word too, and only whole words count.
    assert found("他说想静静", {"想静静": "concern"}) == {"想静静": "concern"}
    assert found("我们去跳楼梯舞", {"跳楼": "crisis"}) == {}


@pytest.mark.django_db
def test_a_school_without_a_list_uses_the_shipped_one_and_its_own_list_replaces_it(cast):
    case = case_at(cast, "intake")
    assert flag_danger(
        actor=cast.counselor,
        school=cast.school,
        text="我想死",
        source=Alert.Source.COUNSELING,
        source_object=case,
        student=cast.student_record,
    )
    danger_phrases_replace(actor=cast.director, school=cast.school, phrases={"想静静": "concern"})
    assert set(DangerPhrase.objects.values_list("phrase", flat=True)) == {"想静静"}
    assert LogEntry.objects.filter(content_type__model="dangerphrase").exists()
    other = case_at(cast, "intake")
    assert (
        flag_danger(
            actor=cast.counselor,
            school=cast.school,
            text="我想死",
            source=Alert.Source.COUNSELING,
            source_object=other,
            student=cast.student_record,
        )
        is None
    )


@pytest.mark.django_db
def test_one_alert_at_the_highest_level_and_one_flag_per_phrase_once(cast):
    case = case_at(cast, "intake")
    text = "活着没意思，我想死"
    kwargs = {
        "actor": cast.counselor,
        "school": cast.school,
        "text": text,
        "source": Alert.Source.COUNSELING,
        "source_object": case,
        "student": cast.student_record,
    }
    alert = flag_danger(**kwargs)
    assert flag_danger(**kwargs) == alert  # checked twice: stored once
    assert alert.risk_level == Alert.RiskLevel.CRISIS
    assert "想死" in alert.evidence and "活着没意思" in alert.evidence
    assert sorted(PhraseFlag.objects.values_list("phrase", flat=True)) == ["想死", "活着没意思"]
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_dismissing_every_flag_dismisses_the_alert_and_counts_against_the_phrase(cast):
    case = case_at(cast, "intake")
    alert = flag_danger(
        actor=cast.counselor,
        school=cast.school,
        text="歌词里唱：我想死",
        source=Alert.Source.COUNSELING,
        source_object=case,
        student=cast.student_record,
    )
    flag = PhraseFlag.objects.get()
    with pytest.raises(ValidationError):
        phrase_flag_dismiss(actor=cast.director, flag=flag, reason="  ")
    flag.refresh_from_db()
    assert flag.dismissed_at is None
    phrase_flag_dismiss(actor=cast.director, flag=flag, reason="引用的歌词")
    flag.refresh_from_db()
    assert flag.dismiss_reason == "引用的歌词" and flag.dismissed_by == cast.director
    alert.refresh_from_db()
    assert alert.state == Alert.State.DISMISSED
    assert phrase_statistics(cast.school.pk) == [
        {"phrase": "想死", "flagged": 1, "dismissed": 1, "share": 1.0}
    ]


@pytest.mark.django_db
def test_the_director_edits_the_list_and_bad_input_keeps_what_was_typed(cast, signed_in):
    client = signed_in(cast.director)
    url = reverse("crisis:phrases")
    page = client.get(url)
    assert page.status_code == 200 and "不想活" in page.content.decode()
    bad = client.post(url, {"crisis": "想死\n想 死", "high": "想死", "concern": ""})
    assert bad.status_code == 400
    assert "想 死" in bad.content.decode()
    assert not DangerPhrase.objects.exists()
    good = client.post(url, {"crisis": "想死\n不想活\n", "high": "活着没意思", "concern": ""})
    assert good.status_code == 302
    assert dict(DangerPhrase.objects.values_list("phrase", "level")) == {
        "想死": "crisis",
        "不想活": "crisis",
        "活着没意思": "high",
    }
    empty = client.post(url, {"crisis": "", "high": "", "concern": ""})
    assert empty.status_code == 400
    assert DangerPhrase.objects.count() == 3


@pytest.mark.django_db
def test_a_counselor_cannot_edit_the_list(cast, signed_in):
    response = signed_in(cast.counselor).post(reverse("crisis:phrases"), {"crisis": "想静静"})
    assert response.status_code == 403
    assert not DangerPhrase.objects.exists()
