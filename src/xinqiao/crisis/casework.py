"""The case an intervention opens or joins: the crisis app asks, the cases app answers.

crisis imports no app above it (DESIGN.md, layers; like ``crisis.recipients``): the cases app
registers its ``CaseWork`` in ``AppConfig.ready``. A crisis alert opens a case for its student,
or joins the case already open; a hospital or emergency referral is started on that case with
the cases app's referral (its consent rule, its follow-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class CaseRef:
    id: int
    number: str
    url: str
    referral_url: str
    opened: bool = False  # False: an open case of the student was joined


class CaseWork(Protocol):
    def open_or_join(self, *, actor, student, alert) -> CaseRef: ...

    def ref(self, case_id: int) -> CaseRef | None: ...


_providers: list[CaseWork] = []


def register_case_work(provider: CaseWork) -> None:
    if provider not in _providers:
        _providers.append(provider)


def case_work() -> CaseWork:
    if not _providers:
        raise ImproperlyConfigured("No app registered case work for crisis interventions.")
    return _providers[0]
