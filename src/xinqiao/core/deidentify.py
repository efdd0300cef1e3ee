"""The de-identification engine: what could identify a student, and text with it replaced by
placeholders (某生, 某班, 某校 ...) and exact dates generalised to a month or less.

Seed 000: "在研究和写作中需要引用学生的资料时，必须隐去可能辨认出来访学生的有关信息". Typical cases
(cases/services_typical.py) use it, and research exports will. It reads a student through its
attributes and imports no domain app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

STUDENT = "某生"
CLASS = "某班"
SCHOOL = "某校"
GUARDIAN = "家长"
TEACHER = "某老师"
PLACE = "某处"
NUMBER = "××××"
DISTRICT = "某区"
SOME_MONTH = "某月"
SOME_YEAR_MONTH = "某年某月"
SOME_YEAR = "某年"

COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "南宫",
    "西门",
    "独孤",
    "轩辕",
    "呼延",
    "澹台",
    "万俟",
)
FAMILY_WORDS = (
    "妈妈",
    "爸爸",
    "母亲",
    "父亲",
    "奶奶",
    "爷爷",
    "外婆",
    "外公",
    "姥姥",
    "姥爷",
    "家长",
)
CN_DIGITS = "零一二三四五六七八九十"
_CN_NUM = "[一二三四五六七八九十两〇零]"

# Exact dates become a month or less: (pattern, placeholder), most specific first.
DATE_PATTERNS = (
    (re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?"), SOME_YEAR_MONTH),
    (re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?!\d)"), SOME_YEAR_MONTH),
    (re.compile(r"(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号]"), SOME_MONTH),
    (re.compile(rf"{_CN_NUM}{{1,3}}月{_CN_NUM}{{1,3}}[日号]"), SOME_MONTH),
    (re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年"), SOME_YEAR),
)


@dataclass(frozen=True)
class Identifier:
    """A piece of text that could identify the student, what replaces it, and what it is."""

    text: str
    placeholder: str
    kind: str  # shown to the counselor when it is still in the text
    # Strict identifiers block publishing; weak ones (a surname with 同学, a room's name) are
    # replaced in the draft but may stay where the counselor means an ordinary word.
    strict: bool = True


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name, or of one written in pinyin ("Li Ming")."""
    name = name.strip()
    if " " in name:
        surname, _sep, given = name.partition(" ")
        return surname, given.strip()
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > len(compound):
            return compound, name[len(compound) :]
    return name[:1], name[1:]


def _cn_number(n: int) -> str:
    if 0 <= n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def class_names(school_class) -> set[str]:
    grade = school_class.grade.name
    n = school_class.number
    short = grade.removesuffix("年级") if grade.endswith("年级") else ""
    names = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(str(school_class.name))
    for number in (str(n), _cn_number(n)):
        names |= {f"{grade}{number}班", f"{grade}({number})班", f"{grade}（{number}）班"}
        if short:
            names |= {f"{short}({number})班", f"{short}（{number}）班", f"{short}{number}班"}
    return names


def student_identifiers(
    student, *, places: Iterable[str] = (), staff: Iterable = ()
) -> list[Identifier]:
    """What could identify ``student`` (a people Student: name, number, class, dormitory,
    guardians, school and district), the ``places`` around them (weakly) and the ``staff`` who
    know them (users, by full name); longest first, so that a full name is replaced before the
    given name inside it."""
    found: list[Identifier] = []

    def add(
        text: str | None, placeholder: str, kind: str, minimum: int = 2, strict: bool = True
    ) -> None:
        text = (text or "").strip()
        if len(text) >= minimum:
            found.append(Identifier(text, placeholder, kind, strict))

    name_kind = _("the student's name")
    add(student.name, STUDENT, name_kind, minimum=1)
    surname, given = split_name(student.name)
    add(given, STUDENT, name_kind)
    if " " in student.name.strip():  # a name in letters: each part is a name
        add(surname, STUDENT, name_kind)
    if surname:
        for word in FAMILY_WORDS:
            add(f"{surname}{word}", GUARDIAN, _("a guardian's name"), strict=False)
        for form in (f"{surname}同学", f"小{surname}"):
            add(form, STUDENT, name_kind, strict=False)
    add(student.student_number, NUMBER, _("the student number"), minimum=1)
    if student.school_class_id:
        for class_name in class_names(student.school_class):
            add(class_name, CLASS, _("the class"))
    if student.dormitory_id:
        dorm = student.dormitory
        add(str(dorm), PLACE, _("a place"))
        add(dorm.building, PLACE, _("a place"), strict=False)
    for link in student.guardian_links.select_related("guardian"):
        add(link.guardian.name, GUARDIAN, _("a guardian's name"))
    school = student.school
    add(school.name, SCHOOL, _("the school's name"))
    if school.district_id:
        add(school.district.name, DISTRICT, _("the school's name"), strict=False)
    for place in places:
        add(place, PLACE, _("a place"), strict=False)
    for person in staff:
        add(person.full_name, TEACHER, _("a teacher's name"))
    unique: dict[str, Identifier] = {}
    for identifier in found:  # a text that is strict in any reading stays strict
        known = unique.get(identifier.text)
        if known is None or (identifier.strict and not known.strict):
            unique[identifier.text] = identifier
    return sorted(unique.values(), key=lambda i: len(i.text), reverse=True)


def deidentify(text: str, identifiers: Iterable[Identifier]) -> str:
    """Replace every identifier with its placeholder and generalise exact dates."""
    identifiers = list(identifiers)
    if identifiers:
        by_text = {i.text: i.placeholder for i in identifiers}
        pattern = re.compile("|".join(re.escape(i.text) for i in identifiers))
        text = pattern.sub(lambda m: by_text[m.group(0)], text)
    for date_pattern, placeholder in DATE_PATTERNS:
        text = date_pattern.sub(placeholder, text)
    return text


def identifying_details(text: str, identifiers: Iterable[Identifier]) -> list[str]:
    """What in ``text`` could still identify the student (kinds, not values), for the reader."""
    kinds: list[str] = []
    for identifier in identifiers:
        if identifier.strict and identifier.text in text and identifier.kind not in kinds:
            kinds.append(identifier.kind)
    if any(pattern.search(text) for pattern, _placeholder in DATE_PATTERNS):
        kinds.append(_("an exact date"))
    return kinds
