"""Forms of the weekly duty plan and of one shift."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import User
from xinqiao.rooms.forms import PersonChoiceField
from xinqiao.rooms.models import OpeningPeriod


class RosterPlanForm(forms.Form):
    """One choice of person per weekly opening period (field ``period-<id>``)."""

    def __init__(self, *args, periods: list[OpeningPeriod], people, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = periods
        for period in periods:
            self.fields[f"period-{period.pk}"] = PersonChoiceField(
                label=str(period),
                queryset=people,
                required=False,
                empty_label=_("— nobody (a gap) —"),
                initial=period.planned,
            )

    def plan(self) -> dict[int, User | None]:
        return {period.pk: self.cleaned_data.get(f"period-{period.pk}") for period in self.periods}

    def rows(self):
        return [(period, self[f"period-{period.pk}"]) for period in self.periods]


class ShiftAssignForm(forms.Form):
    user = PersonChoiceField(
        label=_("On duty"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody (a gap) —"),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
