"""Forms of the outside-services directory, consent, referral and typical cases. Forms check
the input; the rules live in services_directory.py, services_referrals.py and
services_typical.py."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.cases.models import Case, Consent, OutsideService, ProblemCategory, Referral
from xinqiao.core.models import User
from xinqiao.core.roles import COUNSELING_ROLES
from xinqiao.people.selectors import holders_of


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OutsideServiceForm(forms.ModelForm):
    class Meta:
        model = OutsideService
        fields = ["name", "kind", "address", "phone", "handles", "is_active"]
        widgets = {"handles": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self) -> None:
        """The service checks the name within the school (not a field of the form)."""


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("For"), choices=Consent.Purpose.choices)
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=Consent.GivenBy.choices, widget=forms.RadioSelect
    )
    giver_name = forms.CharField(label=_("Name of the person consenting"), max_length=100)
    given_on = forms.DateField(label=_("Date of the consent"), widget=DateInput())
    how = forms.CharField(
        label=_("How it was given"),
        max_length=100,
        required=False,
        help_text=_("e.g. signed form, in a meeting, by phone"),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("given_on", timezone.localdate())
            self.initial.setdefault("given_by", Consent.GivenBy.GUARDIAN)
        self.guardian_names = [
            link.guardian.name for link in case.student.guardian_links.select_related("guardian")
        ]
        self.fields["giver_name"].widget.attrs["list"] = "guardian-names"


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Refer to"), choices=Referral.Kind.choices, widget=forms.RadioSelect
    )
    to_counselor = PersonChoiceField(
        label=_("Counselor"), queryset=User.objects.none(), required=False
    )
    hand_over_lead = forms.BooleanField(
        label=_("The counselor takes the lead of the case"), required=False
    )
    to_service = forms.ModelChoiceField(
        label=_("Service"), queryset=OutsideService.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason for the referral"), widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up_due = forms.DateField(label=_("Follow up by"), widget=DateInput())

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        taken = case.counselors.values("user_id")
        self.fields["to_counselor"].queryset = holders_of(
            case.school_id, *COUNSELING_ROLES
        ).exclude(pk__in=taken)
        self.fields["to_service"].queryset = OutsideService.objects.filter(
            school_id=case.school_id, is_active=True
        )
        if not self.is_bound:
            self.initial.setdefault("kind", Referral.Kind.EXTERNAL)
            self.initial.setdefault(
                "follow_up_due", timezone.localdate() + datetime.timedelta(days=14)
            )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Referral.Kind.INTERNAL and not data.get("to_counselor"):
            self.add_error("to_counselor", _("Choose the counselor who takes the case."))
        if kind == Referral.Kind.EXTERNAL and not data.get("to_service"):
            self.add_error("to_service", _("Choose the service from the directory."))
        return data


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What came of the referral"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Why it did not happen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class TypicalCaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    category = forms.ModelChoiceField(
        label=_("Nature of the problem"), queryset=ProblemCategory.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("De-identified account"), widget=forms.Textarea(attrs={"rows": 18})
    )

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProblemCategory.objects.filter(school_id=school_id)
