"""Forms of rooms, opening hours, the roster, leave and duty logs (the appointments area keeps
its own in forms_appointments.py). Forms validate input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import User
from xinqiao.people.models import School, Semester
from xinqiao.rooms.models import DutyLog, LeaveRequest, OpeningPeriod, Room


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def person_label(user: User) -> str:
    return user.display_name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


class RoomForm(forms.ModelForm):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())

    class Meta:
        model = Room
        fields = ["kind", "name", "location", "spaces", "equipment", "capacity", "is_active"]
        widgets = {
            "spaces": forms.Textarea(attrs={"rows": 3}),
            "equipment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk or schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].queryset = schools
            if schools.count() == 1:
                self.fields["school"].initial = schools.first()

    def validate_unique(self) -> None:
        """The service checks the name (with the school, which is not a field when editing)."""


class SemesterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Semester) -> str:
        return obj.label


class OpeningPeriodForm(forms.ModelForm):
    semester = SemesterChoiceField(label=_("Semester"), queryset=Semester.objects.none())

    class Meta:
        model = OpeningPeriod
        fields = ["semester", "weekday", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, room: Room, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["semester"].queryset = Semester.objects.filter(school_id=room.school_id)

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The period must end after it starts."))
        return cleaned

    def validate_unique(self) -> None:
        """Overlaps (not only equal starts) are checked by the service."""

    def _post_clean(self) -> None:
        # The room is set by the service; skip the model's constraint checks without it.
        pass


class OpeningCopyForm(forms.Form):
    source = SemesterChoiceField(label=_("Copy from"), queryset=Semester.objects.none())
    target = SemesterChoiceField(label=_("Into"), queryset=Semester.objects.none())

    def __init__(self, *args, room: Room, **kwargs):
        super().__init__(*args, **kwargs)
        semesters = Semester.objects.filter(school_id=room.school_id)
        self.fields["source"].queryset = semesters
        self.fields["target"].queryset = semesters


class RosterPlanForm(forms.Form):
    """One choice of person per weekly opening period (field ``period-<id>``)."""

    def __init__(self, *args, periods: list[OpeningPeriod], people, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = periods
        for period in periods:
            self.fields[f"period-{period.pk}"] = PersonChoiceField(
                label=str(period),
                queryset=people,
                required=False,
                empty_label=_("— nobody (a gap) —"),
                initial=period.planned,
            )

    def plan(self) -> dict[int, User | None]:
        return {period.pk: self.cleaned_data.get(f"period-{period.pk}") for period in self.periods}

    def rows(self):
        return [(period, self[f"period-{period.pk}"]) for period in self.periods]


class ShiftAssignForm(forms.Form):
    user = PersonChoiceField(
        label=_("On duty"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody (a gap) —"),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people


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


class WeekFilterForm(forms.Form):
    """Semester, teaching week and room filters of the roster and log lists (GET)."""

    semester = forms.IntegerField(required=False)
    week = forms.IntegerField(required=False, min_value=1)
    room = forms.IntegerField(required=False)
