"""The danger-phrase check every app runs on what people write (issue 14, item 8).

A text is segmented with jieba, the school's phrases loaded as a user dictionary so each comes
out as one word; a phrase counts when it is a run of whole words and is not negated ("我不想死"
is not "想死"; "我不想活了" is danger because 不想活 is a phrase of its own). Found phrases become
one alert of the highest level among them (through ``raise_alert``) and one flag each; a flag
dismissed as a false alarm counts against its phrase on the director's list, so the school can
tune the list (seed 000: 发现来访者有危害其自身和他人及社会安全的情况，应果断报告).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jieba
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.crisis.models import Alert, DangerPhrase, PhraseFlag
from xinqiao.crisis.services import alert_dismiss, raise_alert
from xinqiao.people.models import School, Student

Level = Alert.RiskLevel

# The list a school starts with. Chosen to be specific: each entry is how pupils write about
# harming themselves, not a word with everyday meanings ("死" alone is in 笑死了, 死记硬背).
DEFAULT_PHRASES: Mapping[str, tuple[str, ...]] = {
    Level.CRISIS: (
        "想死",
        "去死",
        "不想活",
        "不想活着",
        "不想活下去",
        "活不下去",
        "自杀",
        "轻生",
        "寻死",
        "跳楼",
        "割腕",
        "上吊",
        "结束生命",
        "结束自己",
        "不如死了",
        "遗书",
        "安眠药",
    ),
    Level.HIGH: (
        "活着没意思",
        "活着没有意义",
        "自残",
        "伤害自己",
        "划自己",
        "撑不下去",
        "想消失",
    ),
    Level.CONCERN: ("绝望", "没人在乎我", "被欺负", "被打", "崩溃"),
}
LEVEL_ORDER = (Level.CONCERN, Level.HIGH, Level.CRISIS)
MAX_PHRASE_LENGTH = 20

# A negator right before a phrase (a few helper verbs may stand between: 不会再想死, 没有想过自杀).
NEGATORS = frozenset(
    [
        "不",
        "没",
        "没有",
        "不会",
        "不要",
        "别",
        "不想",
        "不再",
        "从不",
        "从没",
        "从未",
        "绝不",
        "决不",
        "并不",
        "并没有",
        "不是",
        "未",
        "毫无",
    ]
)
BRIDGES = frozenset(["会", "要", "想", "想过", "再", "是", "敢", "打算", "准备", "可能", "去"])
CLAUSE_ENDS = frozenset("，。！？；：、,.!?;:\n…—~～")

_tokenizer: jieba.Tokenizer | None = None
_known_words: set[str] = set()
_lock = threading.Lock()


@dataclass(frozen=True)
class Hit:
    phrase: str
    level: str
    clause: str


def school_phrases(school_id: int) -> dict[str, str]:
    """The school's phrases and the level each raises: its own list, or the shipped one."""
    own = dict(DangerPhrase.objects.filter(school_id=school_id).values_list("phrase", "level"))
    if own:
        return own
    return {phrase: level for level, phrases in DEFAULT_PHRASES.items() for phrase in phrases}


def segment(text: str, words: Iterable[str] = ()) -> list[str]:
    """jieba's words of ``text``, each of ``words`` kept as one word."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            _tokenizer = jieba.Tokenizer()
        for word in words:
            if word not in _known_words:
                # jieba's suggested frequency: enough for the phrase to come out as one word
                # where it stands, not so much that it splits other words (跳楼梯 stays 跳/楼梯).
                _tokenizer.add_word(word)
                _known_words.add(word)
        return _tokenizer.lcut(text)


def _negated(tokens: list[str], start: int) -> bool:
    index = start - 1
    bridges = 0
    while index >= 0 and tokens[index] in BRIDGES and bridges < 2:
        index -= 1
        bridges += 1
    if index < 0 or tokens[index] not in NEGATORS:
        return False
    # "要不要跳楼", "会不会自杀", "是不是想死": a question (A-not-A), not a negation.
    negator = tokens[index]
    return not (index > 0 and len(negator) > 1 and tokens[index - 1].endswith(negator[1:]))


def _clause(tokens: list[str], start: int, end: int) -> str:
    left = start
    while left > 0 and tokens[left - 1] not in CLAUSE_ENDS:
        left -= 1
    right = end
    while right < len(tokens) and tokens[right] not in CLAUSE_ENDS:
        right += 1
    return "".join(tokens[left:right]).strip()


def find_danger(text: str, phrases: Mapping[str, str]) -> list[Hit]:
    """Every phrase of ``phrases`` (phrase → level) that ``text`` says without negating it."""
    if not text or not phrases:
        return []
    tokens = segment(text, phrases)
    hits: dict[str, Hit] = {}
    longest = max(len(phrase) for phrase in phrases)
    for start in range(len(tokens)):
        joined = ""
        for end in range(start, len(tokens)):
            joined += tokens[end]
            if len(joined) > longest:
                break
            level = phrases.get(joined)
            if level and joined not in hits and not _negated(tokens, start):
                hits[joined] = Hit(joined, level, _clause(tokens, start, end + 1))
    return list(hits.values())


def highest_level(hits: Iterable[Hit]) -> str:
    return max((hit.level for hit in hits), key=LEVEL_ORDER.index)


def flag_danger(
    *,
    actor: User | None,
    school: School,
    text: str,
    source: str,
    source_object: models.Model,
    student: Student | None = None,
    person_description: str = "",
) -> Alert | None:
    """Check ``text``; when it says a danger phrase, raise one alert (the highest level found)
    and flag each phrase. Call it inside the caller's transaction; checking the same source
    again stores nothing new (``raise_alert`` and the flags' constraint)."""
    hits = find_danger(text, school_phrases(school.pk))
    if not hits:
        return None
    evidence = _("Danger phrases: %(phrases)s") % {"phrases": "、".join(hit.phrase for hit in hits)}
    evidence += "\n" + "\n".join(f"「{hit.clause}」" for hit in hits)
    alert = raise_alert(
        actor=actor,
        school=school,
        risk_level=highest_level(hits),
        source=source,
        evidence=evidence,
        student=student,
        person_description=person_description,
        source_object=source_object,
    )
    for hit in hits:
        try:
            with transaction.atomic():
                PhraseFlag.objects.get_or_create(
                    source_type=source_object._meta.label,
                    source_id=str(source_object.pk),
                    phrase=hit.phrase,
                    defaults={"school": school, "level": hit.level, "alert": alert},
                )
        except IntegrityError:  # the same text checked twice at once: the first flag stands
            continue
    return alert


def flags_of(source_object: models.Model):
    return PhraseFlag.objects.filter(
        source_type=source_object._meta.label, source_id=str(source_object.pk)
    )


@service
def phrase_flag_dismiss(*, actor: User, flag: PhraseFlag, reason: str) -> PhraseFlag:
    """A flag is a false alarm: it counts against its phrase; when every flag of its alert is
    dismissed and nobody has started an intervention, the alert is dismissed too."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Write why the flag is a false alarm."))
    flag = PhraseFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.dismissed_at is not None:
        return flag
    flag.dismissed_at = timezone.now()
    flag.dismissed_by = actor
    flag.dismiss_reason = reason
    flag.save(update_fields=["dismissed_at", "dismissed_by", "dismiss_reason"])
    alert = flag.alert
    if (
        alert is not None
        and Alert.State.DISMISSED in Alert.TRANSITIONS[alert.state]
        and not alert.phrase_flags.filter(dismissed_at__isnull=True).exists()
    ):
        alert_dismiss(actor=actor, alert=alert, reason=reason)
    return flag


@service
def danger_phrases_replace(
    *, actor: User, school: School, phrases: Mapping[str, str]
) -> list[DangerPhrase]:
    """Make the school's list exactly ``phrases`` (phrase → level); the change history keeps
    each phrase added, moved to another level or taken out."""
    if not phrases:
        raise ValidationError(_("Keep at least one phrase: an empty list would flag nothing."))
    for phrase, level in phrases.items():
        if level not in Level.values or not phrase or len(phrase) > MAX_PHRASE_LENGTH:
            raise ValidationError(_("Each phrase needs a level and at most 20 characters."))
    current = {row.phrase: row for row in DangerPhrase.objects.filter(school=school)}
    for phrase, row in current.items():
        if phrase not in phrases:
            row.delete()
        elif row.level != phrases[phrase]:
            row.level = phrases[phrase]
            row.save(update_fields=["level"])
    for phrase, level in phrases.items():
        if phrase not in current:
            DangerPhrase.objects.create(school=school, phrase=phrase, level=level)
    return list(DangerPhrase.objects.filter(school=school))


def phrase_statistics(school_id: int) -> list[dict]:
    """Per phrase ever flagged at the school: how often, how often dismissed (the flag, or its
    alert as a false alarm), and that share, most dismissed first."""
    dismissed = Q(dismissed_at__isnull=False) | Q(alert__state=Alert.State.DISMISSED)
    rows = (
        PhraseFlag.objects.filter(school_id=school_id)
        .values("phrase")
        .annotate(flagged=Count("pk"), dismissed=Count("pk", filter=dismissed))
        .order_by("phrase")
    )
    stats = [{**row, "share": row["dismissed"] / row["flagged"]} for row in rows]
    return sorted(stats, key=lambda row: (-row["share"], row["phrase"]))
