from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.letters.services import MAX_LETTER_LENGTH


class LetterForm(forms.Form):
    body = forms.CharField(
        label=_("Your letter"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_LETTER_LENGTH,
    )
    anonymous = forms.BooleanField(
        label=_("Send it anonymously (the counseling room will not know who wrote it)"),
        required=False,
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_LETTER_LENGTH
    )


class FlagDismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it a false alarm?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class PickupForm(forms.Form):
    code = forms.CharField(
        label=_("Pickup code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
