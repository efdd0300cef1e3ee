"""The class-code form of the computer room's shared computers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClassCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Class code"),
        max_length=20,
        help_text=_("Your teacher gives the class its code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Type the class code.")},
    )
    student_number = forms.CharField(
        label=_("Student number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"required": _("Type your student number.")},
    )
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Type your name.")},
    )
