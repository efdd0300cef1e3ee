"""Forms of rooms and opening hours, and the helpers the forms of every rooms area share. They
check input; the services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xinqiao.core.models import User
from xinqiao.people.models import School, Semester
from xinqiao.rooms.models import OpeningPeriod, Room


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
