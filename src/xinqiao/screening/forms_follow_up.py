"""Forms of the follow-up interviews and of a scale given during a case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import User
from xinqiao.core.params import DAY_VALIDATORS
from xinqiao.core.widgets import DatePicker
from xinqiao.screening.models import FollowUp, Participation


class AssignForm(forms.Form):
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"),
        queryset=User.objects.none(),
        empty_label=_("Please choose…"),
        error_messages={
            "required": _("Choose who holds the interview."),
            "invalid_choice": _("Choose a counselor of this school."),
        },
    )

    def __init__(self, *args, interviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewers
        self.fields["interviewer"].label_from_instance = lambda user: user.display_name


class InterviewForm(forms.Form):
    interviewed_on = forms.DateField(
        label=_("Interviewed on"),
        widget=DatePicker(),
        validators=DAY_VALIDATORS,
        error_messages={
            "required": _("Give the day of the interview."),
            "invalid": _("Give the day as YYYY-MM-DD."),
        },
    )
    conclusion = forms.ChoiceField(
        label=_("Conclusion"),
        choices=[
            (FollowUp.Conclusion.CONFIRMED, _("Concern confirmed: open a case")),
            (FollowUp.Conclusion.NO_CONCERN, _("No concern: close the follow-up")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the interview concluded.")},
    )
    notes = forms.CharField(
        label=_("Interview notes (encrypted; counseling side only)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
    )


WHERE_CHOICES = [
    (Participation.Via.COUNSELOR, _("On my screen now, together with the student")),
    (Participation.Via.ACCOUNT, _("Sent to the student's account")),
]


class GiveScaleForm(forms.Form):
    scale = forms.ChoiceField(
        label=_("Scale"),
        error_messages={
            "required": _("Choose a scale."),
            "invalid_choice": _("Choose a scale that can be given."),
        },
    )
    via = forms.ChoiceField(
        label=_("Where the student answers"),
        choices=WHERE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where the student answers.")},
    )

    def __init__(self, *args, scales: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = [("", _("Please choose…")), *scales]
