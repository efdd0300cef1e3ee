"""The form of a duty log."""

from __future__ import annotations

from django import forms

from xinqiao.rooms.models import DutyLog


class DutyLogForm(forms.ModelForm):
    class Meta:
        model = DutyLog
        fields = [
            "arrived_at",
            "calls_received",
            "visitors",
            "appointments_registered",
            "unusual",
            "handover",
        ]
        widgets = {
            "arrived_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "unusual": forms.Textarea(attrs={"rows": 3}),
            "handover": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self) -> None:
        # The shift and writer are set by the service, which also checks "once per shift".
        pass
