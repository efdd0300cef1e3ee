"""Forms of access grants (查阅授权): the request, the director's decision."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.cases.models import AccessGrant, CasePart
from xinqiao.core.widgets import DatePicker

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def end_of_day(day: datetime.date) -> datetime.datetime:
    """A grant asked "until" a day lasts to the end of that day (local time)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


class GrantRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you need to read"),
        choices=AccessGrant.Kind.choices,
        widget=forms.RadioSelect,
        initial=AccessGrant.Kind.CASE,
    )
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=30,
        required=False,
        help_text=_("For one case: its number, as the counselor gave it to you."),
    )
    student_number = forms.CharField(
        label=_("Student number"),
        max_length=30,
        required=False,
        help_text=_("For a student's file: the student's number at the school."),
    )
    parts = forms.MultipleChoiceField(
        label=_("Parts you need"),
        choices=CasePart.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(CasePart.values),
        error_messages={"required": _("Choose at least one part.")},
        help_text=_("The intake and the case's header always show."),
    )
    ends_on = forms.DateField(label=_("Until"), widget=DatePicker())
    reason = forms.CharField(label=_("Why you need to read it"), widget=TEXTAREA, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].help_text = _("At most %(days)s days from today.") % {
            "days": settings.ACCESS_GRANT_MAX_DAYS
        }

    def clean(self):
        data = super().clean()
        if data.get("kind") == AccessGrant.Kind.CASE and not data.get("case_number", "").strip():
            self.add_error("case_number", _("Write the case number."))
        if data.get("kind") == AccessGrant.Kind.FILE and not data.get("student_number", "").strip():
            self.add_error("student_number", _("Write the student number."))
        return data


class GrantDecisionForm(forms.Form):
    parts = forms.MultipleChoiceField(
        label=_("Parts granted"), widget=forms.CheckboxSelectMultiple, required=False
    )
    ends_on = forms.DateField(label=_("Until"), widget=DatePicker(), required=False)
    note = forms.CharField(
        label=_("Decision note"),
        widget=TEXTAREA,
        max_length=2000,
        required=False,
        help_text=_("Required to refuse; the requester reads it in their list."),
    )

    def __init__(self, *args, grant: AccessGrant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = [
            (value, label) for value, label in CasePart.choices if value in grant.requested_parts
        ]
        if not self.is_bound:
            self.initial.setdefault("parts", sorted(grant.requested_parts))
            self.initial.setdefault("ends_on", timezone.localdate(grant.ends_at))
        self.grant = grant

    def ends_at(self) -> datetime.datetime | None:
        """The end chosen: the day's end, but never past the end asked."""
        day = self.cleaned_data.get("ends_on")
        if day is None:
            return None
        if day == timezone.localdate(self.grant.ends_at):
            return self.grant.ends_at
        return end_of_day(day)
