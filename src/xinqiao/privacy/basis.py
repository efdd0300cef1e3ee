"""The ground of an access-log row in the reader's language.

The code writes each row's ground (``basis``) in English, and the row is part of the keyed
chain, so the stored text never changes. This module turns the grounds the code writes back
into translatable words when the log is shown: a fixed ground by a table, a ground with variable
parts (a grant's number, the people told, the filters of a log read) by a pattern. A ground it
does not know (an older wording, a test's) is shown as stored.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.cases.models import AccessGrant
from xinqiao.crisis.models import EmergencyAccess

#: Who reads, the first part of most grounds ("<who>" or "<who>: <what>").
_WHO = {
    "director of the school": _("director of the school"),
    "counselor of the case": _("counselor of the case"),
    "counselor of a case of the student": _("counselor of a case of the student"),
    "counseling staff of the case": _("counseling staff of the case"),
    "counseling staff of the school": _("counseling staff of the school"),
    "counseling staff": _("counseling staff"),
    "counselor": pgettext_lazy("access ground", "counselor"),
    "supervision group, without content": _("supervision group, without content"),
    "conference participant": _("case conference participant"),
    "network chain": _("work network"),
    "rights": _("guardian's record request"),
    "screening.view_results": _("screening results"),
    "screening.export_results": _("screening results export"),
}

#: What was read, the second part ("<who>: <what>").
_WHAT = {
    "access requests": _("access requests"),
    "duty log, anything unusual": _("duty log, anything unusual"),
    "disclosure register": _("disclosure register"),
    "review list": _("emergency accesses to review"),
    "review note": _("review note of a flag"),
    "shared part only": _("shared part only"),
    "weekly report events": _("weekly report events"),
    "weekly report worry": _("worry in a weekly report"),
    "screening follow-up check of the grade": _("screening follow-up check of the grade"),
    "counseling staff": _("counseling staff"),
    "the request and its review": _("the request and its review"),
    "copy released to the guardian": _("copy released to the guardian"),
    "released copy downloaded": _("released copy downloaded"),
    "access log": _("access log"),
}

_FIXED = {
    "recorded this intake": _("recorded this intake"),
    # Written before the research export's ground was made language-independent.
    "生成研究数据导出": _("research export made"),
    "下载研究数据导出": _("research export downloaded"),
    "research export made": _("research export made"),
    "research export downloaded": _("research export downloaded"),
}

#: "<who>: <what>", with the language's own colon.
_PAIR = _("%(who)s: %(what)s")

_PATTERNS = (
    (
        re.compile(re.escape(AccessGrant.BASIS_PREFIX) + r"(?P<number>\d+)$"),
        _("access grant #%(number)s"),
    ),
    (
        re.compile(re.escape(EmergencyAccess.BASIS_PREFIX) + r"(?P<number>\d+) \(break-glass\)$"),
        _("emergency access #%(number)s (break-glass)"),
    ),
    (re.compile(r"disclosure register #(?P<number>\d+)$"), _("disclosure register #%(number)s")),
    (
        re.compile(r"alert step (?P<step>\d+); told: (?P<people>.*)$"),
        _("alert step %(step)s; told: %(people)s"),
    ),
    (
        re.compile(r"case conference shared with: (?P<people>.*)$"),
        _("case conference shared with: %(people)s"),
    ),
    (re.compile(r"refused: (?P<permission>\S+)$"), _("refused (needs %(permission)s)")),
)


def basis_label(basis: str) -> str:
    """``basis`` in the active language, or as stored when it is not one the code writes."""
    if basis in _FIXED:
        return str(_FIXED[basis])
    for pattern, message in _PATTERNS:
        match = pattern.match(basis)
        if match:
            return message % match.groupdict()
    return _composite(basis) or basis


def _composite(basis: str) -> str:
    """A ground in parts: who alone, "<who>: <what>", "<who>; referral letter N", a log read
    with its filters, a research export with its figures, a guardian's request's decision."""
    who, sep, rest = basis.partition(": ")
    if not sep:
        who, sep, rest = basis.partition("; ")
        if who in _WHO and (letter := re.fullmatch(r"referral letter (\d+)", rest)):
            return _("%(who)s; referral letter %(number)s") % {
                "who": _WHO[who],
                "number": letter.group(1),
            }
        return str(_WHO[basis]) if basis in _WHO else ""
    if who in _FIXED:  # a research export: "<what>: k=…, dates, rows=…, sha256=…"
        return _PAIR % {"who": _FIXED[who], "what": rest}
    if who not in _WHO:
        return ""
    if rest in _WHAT:
        return _PAIR % {"who": _WHO[who], "what": _WHAT[rest]}
    if rest.startswith("access log (") and rest.endswith(")"):
        return _("%(who)s: access log (%(filters)s)") % {"who": _WHO[who], "filters": rest[12:-1]}
    if who == "rights" and rest.startswith("decision "):
        outcome = rest.removeprefix("decision ")
        # The rights app stands beside this one (pyproject's layers): its model by name.
        choices = apps.get_model("rights", "RecordRequest").Outcome.choices
        label = dict(choices).get(outcome, outcome)
        return _("guardian's record request: decision %(outcome)s") % {"outcome": label}
    return ""
