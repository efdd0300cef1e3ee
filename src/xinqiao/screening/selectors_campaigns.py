"""Which campaigns a member of staff follows, and their completion (counts only, never answers).

The counseling side and leadership follow every campaign of their school; a class teacher (and
a grade leader) only the campaigns that reach their classes, and only their classes' rows. A
draft is the counseling side's until it is announced.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES
from xinqiao.people.models import SchoolClass
from xinqiao.people.selectors import led_grade_ids, taught_class_ids
from xinqiao.screening.models import STAFF_OF_SCHOOL, Campaign, Participation


def followed_class_ids(user) -> set[int]:
    """The classes a class teacher teaches and those of the grades a grade leader leads."""
    grades = led_grade_ids(user)
    classes = set(taught_class_ids(user))
    if grades:
        classes |= set(SchoolClass.objects.filter(grade_id__in=grades).values_list("pk", flat=True))
    return classes


def whole_school_ids(user) -> frozenset[int]:
    """Schools whose every campaign and class the user follows."""
    return user.school_ids_with(*COUNSELING_ROLES, *LEADERSHIP_ROLES)


def campaigns_followed_by(user) -> QuerySet[Campaign]:
    """The campaigns whose completion ``user`` follows (the list, the detail, the fragment)."""
    wide = whole_school_ids(user)
    classes = followed_class_ids(user)
    reaching = Campaign.objects.filter(
        Q(classes__in=classes) | Q(grades__classes__in=classes)
    ).values("pk")
    counseling = user.school_ids_with(*COUNSELING_ROLES)
    return (
        Campaign.objects.for_user(user)
        .filter(school_id__in=user.school_ids_with(*STAFF_OF_SCHOOL))
        .filter(Q(school_id__in=wide) | Q(pk__in=reaching))
        .exclude(Q(state=Campaign.State.DRAFT) & ~Q(school_id__in=counseling))
    )


def completion_class_ids(user, campaign: Campaign) -> set[int] | None:
    """The classes whose rows ``user`` sees in ``campaign`` (None: every class)."""
    if campaign.school_id in whole_school_ids(user):
        return None
    return followed_class_ids(user)


_FIELD = {
    Participation.State.INVITED: "invited",
    Participation.State.STARTED: "started",
    Participation.State.SUBMITTED: "submitted",
    Participation.State.OPTED_OUT: "opted_out",
}


@dataclass
class CompletionRow:
    label: str
    invited: int = 0
    started: int = 0
    submitted: int = 0
    opted_out: int = 0

    @property
    def total(self) -> int:
        return self.invited + self.started + self.submitted + self.opted_out

    @property
    def expected(self) -> int:
        """Those who are to take it: opted-out students are not counted as missing."""
        return self.total - self.opted_out

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return round(100 * self.submitted / self.expected)

    def add(self, state: str, count: int) -> None:
        field = _FIELD[state]
        setattr(self, field, getattr(self, field) + count)


def _counts(campaign_ids, class_ids: set[int] | None):
    # Counts of states only: no answer, no score, no name leaves this query.
    rows = Participation.objects.filter(campaign_id__in=campaign_ids)
    if class_ids is not None:
        rows = rows.filter(school_class_id__in=class_ids)
    return rows.values("campaign_id", "school_class_id", "state").annotate(n=Count("pk"))


def completion_by_class(campaign: Campaign, class_ids: set[int] | None) -> dict:
    """Per class (teachers: one row of everyone) and the total, for the rows the user sees."""
    per_class: dict[int | None, CompletionRow] = {}
    for row in _counts([campaign.pk], class_ids):
        per_class.setdefault(row["school_class_id"], CompletionRow(label=""))
        per_class[row["school_class_id"]].add(row["state"], row["n"])
    classes = {
        c.pk: c
        for c in SchoolClass.objects.filter(pk__in=[k for k in per_class if k]).select_related(
            "grade"
        )
    }
    ordered = sorted(
        per_class.items(),
        key=lambda kv: (
            (classes[kv[0]].grade.level, classes[kv[0]].number) if kv[0] in classes else (999, 0)
        ),
    )
    rows, total = [], CompletionRow(label="")
    for class_id, row in ordered:
        row.label = str(classes[class_id]) if class_id in classes else ""
        rows.append(row)
        for state in Participation.State.values:
            total.add(state, getattr(row, _FIELD[state]))
    return {"rows": rows, "total": total}


def completion_percent_by_campaign(campaigns, user) -> dict[int, int | None]:
    """Each campaign's completion (%) over the classes the user sees, in one query."""
    wide = whole_school_ids(user)
    classes = followed_class_ids(user)
    totals: dict[int, CompletionRow] = {}
    ids_wide = [c.pk for c in campaigns if c.school_id in wide]
    ids_narrow = [c.pk for c in campaigns if c.school_id not in wide]
    for ids, scope in ((ids_wide, None), (ids_narrow, classes)):
        if not ids:
            continue
        for row in _counts(ids, scope):
            totals.setdefault(row["campaign_id"], CompletionRow(label="")).add(
                row["state"], row["n"]
            )
    return {c.pk: totals[c.pk].percent if c.pk in totals else None for c in campaigns}
