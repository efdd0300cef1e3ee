"""Forms of the leadership group and its working groups; the rules themselves are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import User
from xinqiao.people.models import School, WorkGroupMember
from xinqiao.people.network import staff_users_of_school


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return (
            obj.display_name
            if obj.display_name == obj.username
            else f"{obj.display_name} ({obj.username})"
        )


class WorkGroupMemberForm(forms.Form):
    user = StaffChoiceField(label=_("Person"), queryset=User.objects.none())
    position = forms.ChoiceField(
        label=_("Position"),
        choices=[("", "---------"), *WorkGroupMember.Position.choices],
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users_of_school(school)


class WorkGroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "suggested-groups", "autocomplete": "off"}),
    )
    remit = forms.CharField(
        label=_("Remit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the group is for, in a sentence or two."),
    )
