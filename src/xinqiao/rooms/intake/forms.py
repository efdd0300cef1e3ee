"""Forms of phone and walk-in intake. They check input; the services decide."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.models import User
from xinqiao.crisis.models import Alert
from xinqiao.rooms.appointments.forms import BOOKABLE_TOPICS, StudentNumberMixin
from xinqiao.rooms.appointments.services import Topic
from xinqiao.rooms.models import Intake


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class IntakeForm(StudentNumberMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=Intake.Channel.choices,
        initial=Intake.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    caller_kind = forms.ChoiceField(label=_("Who"), choices=Intake.CallerKind.choices)
    caller_name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=100, required=False
    )
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    student_number = forms.CharField(
        label=_("Student number (if about a student)"), max_length=30, required=False
    )
    concern = forms.CharField(
        label=_("Concern in a few words"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Intake.Urgency.choices,
        initial=Intake.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    answered = forms.BooleanField(label=_("Answered at once, nothing more to do"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, user: User, school, **kwargs):
        self.user, self.school = user, school
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())

    def clean_student_number(self) -> str:
        self.student = self._student_from_number(self.cleaned_data["student_number"])
        return self.cleaned_data["student_number"]

    def clean(self):
        data = super().clean()
        if data.get("answered") and data.get("urgency") == Intake.Urgency.URGENT:
            self.add_error("answered", _("An urgent call is not finished by answering it."))
        return data


class IntakeAlertForm(forms.Form):
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=Alert.RiskLevel.choices, initial=Alert.RiskLevel.HIGH
    )
    what_was_said = forms.CharField(
        label=_("What was said or seen (for the counseling staff only)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IntakeBookingForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    topic = forms.ChoiceField(label=_("Topic"), choices=BOOKABLE_TOPICS, initial=Topic.OTHER)
