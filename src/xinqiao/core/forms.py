from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from xinqiao.core import sign_in


class SignInForm(AuthenticationForm):
    """One answer for a wrong password, an unknown account and a locked account alike."""

    error_messages = {
        "invalid_login": _(
            "The account name or password is not right, or the account is locked. "
            "Ask the school's system administrator if you cannot sign in."
        ),
        "inactive": _(
            "The account name or password is not right, or the account is locked. "
            "Ask the school's system administrator if you cannot sign in."
        ),
    }

    def get_invalid_login_error(self):
        if sign_in.was_throttled(self.request):
            return forms.ValidationError(
                _(
                    "Too many failed sign-ins from this network. Wait %(minutes)s minutes, "
                    "then try again."
                ),
                code="throttled",
                params={"minutes": settings.SIGN_IN_ADDRESS_MINUTES},
            )
        return super().get_invalid_login_error()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Account")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class VerificationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has six digits."))
        return code


class NewPasswordForm(PasswordChangeForm):
    """A new password (first sign-in or later), given with the current one: a session left
    open on a shared computer is not enough to take the account. Validated by Django's
    validators."""


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)


def add_service_errors(form: forms.Form, error) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
