"""The semester a roster is imported into (``SemesterChoice``, written ``2026-1``), and which
semester is current (``semesters_advance``)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.people.models import School, Semester
from xinqiao.people.roster.format import RowError


@dataclass(frozen=True, order=True)
class SemesterChoice:
    """A semester named by its school year (the starting year) and term, as in ``2026-1``."""

    school_year: int
    term: int

    @classmethod
    def parse(cls, text: str) -> SemesterChoice:
        match = re.fullmatch(r"\s*(\d{4})\s*-\s*([12])\s*", text or "")
        if not match:
            raise ValueError(f"{text!r} is not a semester like 2026-1 (year, then term 1 or 2)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, semester: Semester) -> SemesterChoice:
        return cls(semester.school_year, semester.term)

    @classmethod
    def default_for(cls, school: School | None, today: datetime.date | None = None):
        """The school's current semester, else the one ``today`` falls in."""
        current = school.current_semester if school is not None else None
        if current is not None:
            return cls.of(current)
        today = today or timezone.localdate()
        if today.month >= 8:
            return cls(today.year, 1)
        if today.month == 1:
            return cls(today.year - 1, 1)
        return cls(today.year - 1, 2)

    @property
    def dates(self) -> tuple[datetime.date, datetime.date]:
        """The first term runs 9/1–1/20, the second 2/20–7/10 (the admin may adjust them later)."""
        if self.term == Semester.Term.FIRST:
            return datetime.date(self.school_year, 9, 1), datetime.date(self.school_year + 1, 1, 20)
        return datetime.date(self.school_year + 1, 2, 20), datetime.date(
            self.school_year + 1, 7, 10
        )

    @property
    def label(self) -> str:
        """As Semester.label words it (2026–2027 school year, first term)."""
        return _("%(start)s–%(end)s school year, %(term)s") % {
            "start": self.school_year,
            "end": self.school_year + 1,
            "term": Semester.Term(self.term).label,
        }

    def __str__(self) -> str:
        return f"{self.school_year}-{self.term}"


def semester_problem(school: School, choice: SemesterChoice) -> RowError | None:
    """An import may target the current semester or a later one, never an earlier one."""
    current = school.current_semester
    if current is not None and choice < SemesterChoice.of(current):
        return RowError(
            "", None, "", "semester_before_current", {"current": str(SemesterChoice.of(current))}
        )
    return None


def semesters_advance(*, school: School | None = None, today: datetime.date | None = None) -> int:
    """Make current, in ``school`` (or every school), the latest semester that has begun.

    A semester becomes current on its first day, not when its roster is imported (issue 12):
    next term's roster may be imported weeks ahead while this term goes on. Between two terms
    the last one stays current. The task queue runs this every night; an import runs it for its
    school. Returns how many schools changed their current semester.
    """
    today = today or timezone.localdate()
    begun = Semester.objects.filter(starts_on__lte=today).order_by("school_id", "-starts_on")
    if school is not None:
        begun = begun.filter(school=school)
    latest: dict[int, Semester] = {}
    for semester in begun.only("pk", "school_id", "is_current"):
        latest.setdefault(semester.school_id, semester)
    changed = 0
    for semester in latest.values():
        if semester.is_current:
            continue
        with transaction.atomic():
            # The partial unique constraint allows one current semester: clear it first.
            Semester.objects.filter(school_id=semester.school_id, is_current=True).update(
                is_current=False
            )
            Semester.objects.filter(pk=semester.pk).update(is_current=True)
        changed += 1
    return changed
