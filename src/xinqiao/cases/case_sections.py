"""Sections other apps add to the case page, and what they may fill in on its evaluation form.

The cases app sits below screening in the layers (pyproject importlinter): it imports none of
the apps above it. Those apps register here from their ``AppConfig.ready``, e.g. screening
shows the student's scale results on the case page and lets a counselor use one in the case's
effect evaluation (seed 003 效果评估: 问卷调查)::

    from xinqiao.cases.case_sections import register_case_section, register_evaluation_initial

    register_case_section("screening", "screening/case_section.html", section_context)
    register_evaluation_initial(evaluation_initial)

A section's context function takes ``request`` and ``case`` (already read through the access
kernel) and returns the section's context, or None to show nothing (the reader may not see
it). An evaluation-initial function takes ``request`` and ``case`` and returns initial values
of the evaluation form (empty when the request asks for none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SectionContext = Callable[..., dict | None]
EvaluationInitial = Callable[..., dict]


@dataclass(frozen=True)
class CaseSection:
    key: str
    template: str
    context: SectionContext
    order: int


_sections: dict[str, CaseSection] = {}
_evaluation_initials: list[EvaluationInitial] = []


def register_case_section(
    key: str, template: str, context_function: SectionContext, *, order: int = 100
) -> None:
    """Add (or replace, by ``key``) a section of the case page; lower ``order`` comes first."""
    _sections[key] = CaseSection(key=key, template=template, context=context_function, order=order)


def case_sections(*, request, case, parts=None) -> list[dict]:
    """Each section the reader may see: its template and context, in order. A section whose
    key names a part of the case (``CasePart``) shows only when ``parts`` holds it (an access
    grant may open some parts only)."""
    from xinqiao.cases.models import ALL_PARTS

    parts = case.parts_read_by(request.user) if parts is None else parts
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        if section.key in ALL_PARTS and section.key not in parts:
            continue
        context = section.context(request=request, case=case)
        if context is not None:
            shown.append({"key": section.key, "template": section.template, "context": context})
    return shown


def register_evaluation_initial(function: EvaluationInitial) -> None:
    if function not in _evaluation_initials:
        _evaluation_initials.append(function)


def evaluation_initial(*, request, case) -> dict:
    """Initial values of the case's evaluation form that the registered apps fill in."""
    initial: dict = {}
    for function in _evaluation_initials:
        initial.update(function(request=request, case=case))
    return initial
