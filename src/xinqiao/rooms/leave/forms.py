"""Forms of asking for leave, deciding on it and choosing a substitute."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import User
from xinqiao.rooms.forms import PersonChoiceField
from xinqiao.rooms.models import LeaveRequest


class LeaveRequestForm(forms.ModelForm):
    class Meta:
        model = LeaveRequest
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == "approve"


class SubstituteForm(forms.Form):
    substitute = PersonChoiceField(label=_("Substitute"), queryset=User.objects.none())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = people
