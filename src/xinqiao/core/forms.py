from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core import sign_in
from xinqiao.core.key_export import MIN_PASSPHRASE
from xinqiao.core.models import SecurityEvent


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


class KeyExportForm(forms.Form):
    """The key export from the backups page: a passphrase typed twice and the administrator's
    own password again (a session left open is not enough to carry the keys away). Every field
    is secret: none is sent back on an error."""

    #: Wrong passwords in a row that stop the export for a while (a stolen session guessing).
    TRIES = 5
    TRIES_WINDOW = datetime.timedelta(minutes=15)

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    passphrase1 = forms.CharField(
        label=_("A passphrase for the key file"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    passphrase2 = forms.CharField(
        label=_("The passphrase again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["passphrase1"].help_text = _(
            "At least %(count)s characters, for example four words. Without it the file is "
            "useless: write it down and keep it apart from the file."
        ) % {"count": MIN_PASSPHRASE}

    def clean_password(self):
        recent = SecurityEvent.objects.filter(
            user=self.user,
            kind=SecurityEvent.Kind.KEYS_EXPORT_REFUSED,
            created_at__gte=timezone.now() - self.TRIES_WINDOW,
        ).count()
        if recent >= self.TRIES:
            raise forms.ValidationError(
                _("Too many wrong passwords: wait a quarter of an hour, then try again."),
                code="throttled",
            )
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(_("Your password is not right."), code="wrong_password")
        return self.cleaned_data["password"]

    def clean_passphrase1(self):
        passphrase = self.cleaned_data["passphrase1"]
        if len(passphrase) < MIN_PASSPHRASE:
            raise forms.ValidationError(
                _("The passphrase must have at least %(count)s characters."),
                code="too_short",
                params={"count": MIN_PASSPHRASE},
            )
        return passphrase

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("passphrase1"), cleaned.get("passphrase2")
        if first and second is not None and first != second:
            self.add_error("passphrase2", _("The two passphrases differ."))
        return cleaned


def add_service_errors(form: forms.Form, error) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
