"""Forms of the weekly reports: short enough to fill on a phone."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.crisis.models import Alert, Mood

WORRY_SLOTS = 3


class WeeklyReportForm(forms.Form):
    """The mood, the week's events and up to three classmates one is worried about."""

    mood = forms.TypedChoiceField(
        label=_("How is the mood this week?"),
        choices=Mood.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    events = forms.CharField(
        label=_("What happened this week (activities, exams, conflicts)?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, students, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.students = {str(s.pk): s for s in students}
        choices = [("", _("— nobody —")), *((key, s.name) for key, s in self.students.items())]
        for n in range(1, WORRY_SLOTS + 1):
            self.fields[f"student_{n}"] = forms.ChoiceField(
                label=_("Classmate I am worried about"), choices=choices, required=False
            )
            self.fields[f"why_{n}"] = forms.CharField(
                label=_("Why? (only the counseling room reads this)"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def worry_slots(self):
        return [(self[f"student_{n}"], self[f"why_{n}"]) for n in range(1, WORRY_SLOTS + 1)]

    def clean(self):
        data = super().clean()
        worries = []
        for n in range(1, WORRY_SLOTS + 1):
            key, why = data.get(f"student_{n}"), (data.get(f"why_{n}") or "").strip()
            if key and not why:
                self.add_error(f"why_{n}", _("Say why you are worried."))
            elif why and not key:
                self.add_error(f"student_{n}", _("Choose the classmate."))
            elif key:
                worries.append((self.students[key], why))
        data["worries"] = worries
        return data


class ForwardForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the counseling room"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WorryAlertForm(forms.Form):
    risk_level = forms.ChoiceField(
        label=_("Alert level"), choices=Alert.RiskLevel.choices, widget=forms.RadioSelect
    )
