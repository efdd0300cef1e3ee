"""The administrator's form for a school's outside channel (issue 14)."""

from __future__ import annotations

import urllib.parse

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import DeliveryChannel

Kind = DeliveryChannel.Kind
# The parameter that carries each robot's key in its address.
ROBOT_KEY = {Kind.WECOM: "key", Kind.DINGTALK: "access_token"}


class DeliveryChannelForm(forms.ModelForm):
    """The robot's address and secret are write-only: the form never shows them back, and a
    blank field keeps what is stored."""

    webhook_url = forms.CharField(
        label=_("robot address (webhook)"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    secret = forms.CharField(
        label=_("signing secret (DingTalk 加签, optional)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = DeliveryChannel
        fields = ["kind", "name", "after_minutes", "webhook_url", "secret", "mention_mobiles"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Kept aside: validation copies the blank fields onto the instance.
        self.stored_kind = self.instance.kind
        self.stored = (self.instance.webhook_url, self.instance.secret)
        if self.instance.pk:
            self.fields["enabled"] = forms.BooleanField(
                label=_("in use"), required=False, initial=self.instance.enabled
            )
            if self.instance.webhook_url:
                self.fields["webhook_url"].help_text = _(
                    "Stored; leave blank to keep it, or type a new one."
                )
            if self.instance.secret:
                self.fields["secret"].help_text = _(
                    "Stored; leave blank to keep it, or type a new one."
                )

    def clean_after_minutes(self) -> int:
        minutes = self.cleaned_data["after_minutes"]
        if minutes > 24 * 60:
            raise forms.ValidationError(_("At most one day (1440 minutes)."))
        return minutes

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        url = (data.get("webhook_url") or "").strip()
        secret = (data.get("secret") or "").strip()
        if kind == Kind.EMAIL:
            data["webhook_url"] = data["secret"] = ""
            return data
        if kind not in ROBOT_KEY:
            return data
        if url:
            parsed = urllib.parse.urlsplit(url)
            key = urllib.parse.parse_qs(parsed.query).get(ROBOT_KEY[kind])
            if parsed.scheme not in ("http", "https") or not parsed.netloc or not key:
                self.add_error(
                    "webhook_url",
                    _("Paste the robot's whole address as the group shows it (it holds %(key)s=…).")
                    % {"key": ROBOT_KEY[kind]},
                )
        elif not self.stored[0] or kind != self.stored_kind:
            self.add_error("webhook_url", _("A robot needs its address."))
        if secret and kind != Kind.DINGTALK:
            self.add_error("secret", _("Only DingTalk robots sign their messages."))
        elif secret and not secret.startswith("SEC"):
            self.add_error("secret", _("A DingTalk secret starts with SEC."))
        data["webhook_url"], data["secret"] = url, secret
        return data

    def save(self, commit: bool = False) -> DeliveryChannel:
        """The channel with the form's values, not saved (the service saves it); a blank
        address or secret keeps the stored one."""
        channel = self.instance
        channel.webhook_url = self.cleaned_data["webhook_url"] or self.stored[0]
        channel.secret = self.cleaned_data["secret"] or self.stored[1]
        if channel.kind == Kind.EMAIL:
            channel.webhook_url = channel.secret = ""
        elif channel.kind != Kind.DINGTALK:
            channel.secret = ""
        if "enabled" in self.cleaned_data:
            channel.enabled = self.cleaned_data["enabled"]
        return channel
