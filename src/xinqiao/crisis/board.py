"""The director's crisis board (issue 14 item 9): sections other parts add without touching it.

A section is a template and a function giving its context; the board renders them in order
every time it refreshes (htmx, every 30 seconds). The open alerts with their deadlines are the
first section (registered here); the weekly network reports and the letterbox queue register
theirs from their own ``AppConfig.ready``::

    from xinqiao.crisis.board import register_board_section

    register_board_section(
        "reports", "reports/board_section.html", lambda *, request, school, now: {...}, order=20
    )

The context function takes ``request``, ``school`` (the director's school) and ``now`` and
reads through the access kernel like any view.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from xinqiao.people.models import School

SectionContext = Callable[..., dict]


@dataclass(frozen=True)
class BoardSection:
    key: str
    template: str
    context: SectionContext
    order: int


_sections: dict[str, BoardSection] = {}


def register_board_section(
    key: str, template: str, context_function: SectionContext, *, order: int = 100
) -> None:
    """Add (or replace, by ``key``) a section of the board; lower ``order`` comes first."""
    _sections[key] = BoardSection(key=key, template=template, context=context_function, order=order)


def board_sections(*, request: HttpRequest, school: School, now: datetime.datetime) -> list[dict]:
    """Each section's template and context, in order."""
    return [
        {
            "key": section.key,
            "template": section.template,
            "context": section.context(request=request, school=school, now=now),
        }
        for section in sorted(_sections.values(), key=lambda s: (s.order, s.key))
    ]
