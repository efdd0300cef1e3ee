"""Forms of the guardian's request and the director's decision; services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.cases.forms import OnceForm
from xinqiao.rights.models import RecordRequest


class ChildField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.school_class or obj.school}）"


class AskForm(OnceForm):
    """A guardian's request; the child is chosen from their linked children (not asked when
    there is one)."""

    child = ChildField(label=_("Child"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(
        label=_("What do you ask for?"),
        choices=RecordRequest.Kind.choices,
        widget=forms.RadioSelect,
        initial=RecordRequest.Kind.COPY,
    )
    asked = forms.CharField(
        label=_("What you ask for"),
        help_text=_(
            "Which records, of which period, and why (for example: the counseling "
            "records of this semester)."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    record_reference = forms.CharField(
        label=_("Which record is wrong"),
        help_text=_("For a correction: the record's date and what it is about."),
        required=False,
        max_length=500,
    )
    correction = forms.CharField(
        label=_("What it should say"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        ids = list(children.values_list("pk", flat=True))
        if len(ids) == 1:
            # A guardian with one child does not choose.
            self.only_child = children.get()
            self.fields["child"].widget = forms.HiddenInput()
            self.fields["child"].required = False
            self.initial.setdefault("child", ids[0])

    def clean_child(self):
        return getattr(self, "only_child", None) or self.cleaned_data.get("child")

    def clean(self):
        data = super().clean()
        if data.get("kind") == RecordRequest.Kind.CORRECTION and not data.get("correction"):
            self.add_error("correction", _("Say what the record should say instead."))
        return data


class RecordChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        held = timezone.localtime(obj.held_at).strftime("%Y-%m-%d %H:%M")
        return f"{held} · {obj.get_kind_display()} · {obj.case.number}"


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    parts = forms.MultipleChoiceField(
        label=_("What is released"),
        choices=RecordRequest.Part.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "For a partial release. Session records go out only as their counselor "
            "reviewed them, within their cases."
        ),
    )
    reasons = forms.CharField(
        label=_("Reasons, told to the guardian"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    record = RecordChoiceField(
        label=_("Record corrected"),
        queryset=None,
        required=False,
        empty_label=_("The file as a whole"),
    )
    correction_text = forms.CharField(
        label=_("Correction as recorded"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args, request: RecordRequest, records, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = (
            RecordRequest.COPY_OUTCOMES
            if request.kind == RecordRequest.Kind.COPY
            else RecordRequest.CORRECTION_OUTCOMES
        )
        labels = dict(RecordRequest.Outcome.choices)
        self.fields["outcome"].choices = [(value, labels[value]) for value in outcomes]
        self.fields["record"].queryset = records
        if request.kind == RecordRequest.Kind.COPY:
            del self.fields["record"], self.fields["correction_text"]
        else:
            del self.fields["parts"]
            self.initial.setdefault("correction_text", request.correction)
