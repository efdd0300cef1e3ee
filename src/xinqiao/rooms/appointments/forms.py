"""Forms of slots, booking and appointments. They check input; the services decide."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.models import User
from xinqiao.core.params import DAY_VALIDATORS
from xinqiao.people.models import Student
from xinqiao.rooms.appointments import selectors
from xinqiao.rooms.appointments.services import Topic
from xinqiao.rooms.models import Appointment, Room, Weekday

BOOKABLE_TOPICS = [(value, label) for value, label in Topic.choices if value != Topic.GROUP]


class StudentNumberMixin:
    """A student is named by their student number (quicker on the phone than a long list)."""

    def _student_from_number(self, number: str) -> Student | None:
        number = (number or "").strip()
        if not number:
            return None
        student = (
            Student.objects.for_user(self.user)
            .filter(school_id=self.school.pk, student_number=number)
            .first()
        )
        if student is None:
            raise forms.ValidationError(_("No student of the school has this number."))
        return student


class SlotFilterForm(forms.Form):
    """Which free slots to show: a chosen counselor or anyone, and a day."""

    counselor = forms.ModelChoiceField(
        label=_("Counselor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DAY_VALIDATORS,
    )

    def __init__(self, *args, school_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        if school_id is not None:
            self.fields["counselor"].queryset = selectors.counselors_of_school(school_id)
        self.fields["counselor"].label_from_instance = lambda user: user.display_name

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        counselor = self.cleaned_data.get("counselor")
        return {
            "counselor_id": counselor.pk if counselor else None,
            "day": self.cleaned_data.get("day"),
        }


class OwnBookingForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("What would you like to talk about?"), choices=BOOKABLE_TOPICS
    )


class StaffBookingForm(StudentNumberMixin, forms.Form):
    for_kind = forms.ChoiceField(
        label=_("For"), choices=Appointment.ForKind.choices, initial=Appointment.ForKind.STUDENT
    )
    student_number = forms.CharField(
        label=_("Student number (the student, or the guardian's child)"),
        max_length=30,
        required=False,
    )
    person_name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=100, required=False
    )
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=BOOKABLE_TOPICS)

    def __init__(self, *args, user: User, school, **kwargs):
        self.user, self.school = user, school
        super().__init__(*args, **kwargs)

    def clean_student_number(self) -> str:
        self.student = self._student_from_number(self.cleaned_data["student_number"])
        return self.cleaned_data["student_number"]

    def clean(self):
        data = super().clean()
        student = getattr(self, "student", None)
        kind = data.get("for_kind")
        if kind == Appointment.ForKind.STUDENT and student is None and not data.get("person_name"):
            self.add_error("student_number", _("Give the student number or the name."))
        if kind in (Appointment.ForKind.GUARDIAN, Appointment.ForKind.TEACHER) and not data.get(
            "person_name"
        ):
            self.add_error("person_name", _("Give the name of the person who comes."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)


class RescheduleForm(ReasonForm):
    slot = forms.IntegerField(label=_("New time"))


class RoomAndCounselorForm(forms.Form):
    """A room of the school and one of ``counselors`` (who offers the slots)."""

    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    counselor = forms.ModelChoiceField(label=_("Counselor"), queryset=User.objects.none())

    def __init__(self, *args, school_id: int, counselors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = selectors.rooms_of_school(school_id)
        self.fields["counselor"].queryset = counselors
        self.fields["counselor"].label_from_instance = lambda user: user.display_name
        if counselors.count() == 1:
            self.fields["counselor"].initial = counselors.first()


class SlotForm(RoomAndCounselorForm):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=240, initial=50)
    is_group = forms.BooleanField(label=_("Group session"), required=False)
    capacity = forms.IntegerField(
        label=_("Places (group session)"), min_value=1, max_value=60, initial=1
    )
    topic = forms.CharField(label=_("Theme (group session)"), max_length=200, required=False)

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        starts = timezone.make_aware(datetime.datetime.combine(data["day"], data["start"]))
        return starts, starts + datetime.timedelta(minutes=data["minutes"])


class SlotGenerateForm(RoomAndCounselorForm):
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    times = forms.CharField(
        label=_("Start times"),
        help_text=_("Separated by commas, e.g. 12:30, 16:30"),
        max_length=200,
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=240, initial=50)

    def clean_times(self) -> list[datetime.time]:
        parsed = []
        for part in self.cleaned_data["times"].replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                parsed.append(datetime.datetime.strptime(part, "%H:%M").time())
            except ValueError:
                raise forms.ValidationError(
                    _("%(value)s is not a time like 12:30.") % {"value": part}
                ) from None
        if not parsed:
            raise forms.ValidationError(_("Give at least one start time."))
        return parsed
