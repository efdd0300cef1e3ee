"""Forms of intake, slots and appointments. They check input; the services decide."""

from __future__ import annotations

import datetime
import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.models import User
from xinqiao.crisis.models import Alert
from xinqiao.people.models import Student
from xinqiao.rooms import selectors_appointments as selectors
from xinqiao.rooms.models import Appointment, Intake, Room, Weekday
from xinqiao.rooms.services_appointments import Topic

BOOKABLE_TOPICS = [(value, label) for value, label in Topic.choices if value != Topic.GROUP]


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


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


class IntakeForm(StudentNumberMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=Intake.Channel.choices,
        initial=Intake.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    caller_kind = forms.ChoiceField(label=_("Who"), choices=Intake.CallerKind.choices)
    caller_name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=100, required=False
    )
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    student_number = forms.CharField(
        label=_("Student number (if about a student)"), max_length=30, required=False
    )
    concern = forms.CharField(
        label=_("Concern in a few words"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Intake.Urgency.choices,
        initial=Intake.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    answered = forms.BooleanField(label=_("Answered at once, nothing more to do"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, user: User, school, **kwargs):
        self.user, self.school = user, school
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())

    def clean_student_number(self) -> str:
        self.student = self._student_from_number(self.cleaned_data["student_number"])
        return self.cleaned_data["student_number"]

    def clean(self):
        data = super().clean()
        if data.get("answered") and data.get("urgency") == Intake.Urgency.URGENT:
            self.add_error("answered", _("An urgent call is not finished by answering it."))
        return data


class IntakeAlertForm(forms.Form):
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=Alert.RiskLevel.choices, initial=Alert.RiskLevel.HIGH
    )
    what_was_said = forms.CharField(
        label=_("What was said or seen (for the counseling staff only)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SlotFilterForm(forms.Form):
    """Which free slots to show: a chosen counselor or anyone, and a day."""

    counselor = forms.ModelChoiceField(
        label=_("Counselor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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


class IntakeBookingForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    topic = forms.ChoiceField(label=_("Topic"), choices=BOOKABLE_TOPICS, initial=Topic.OTHER)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)


class RescheduleForm(ReasonForm):
    slot = forms.IntegerField(label=_("New time"))


class SlotForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    counselor = forms.ModelChoiceField(label=_("Counselor"), queryset=User.objects.none())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=240, initial=50)
    is_group = forms.BooleanField(label=_("Group session"), required=False)
    capacity = forms.IntegerField(
        label=_("Places (group session)"), min_value=1, max_value=60, initial=1
    )
    topic = forms.CharField(label=_("Theme (group session)"), max_length=200, required=False)

    def __init__(self, *args, school_id: int, counselors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = selectors.rooms_of_school(school_id)
        self.fields["counselor"].queryset = counselors
        self.fields["counselor"].label_from_instance = lambda user: user.display_name
        if counselors.count() == 1:
            self.fields["counselor"].initial = counselors.first()

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        starts = timezone.make_aware(datetime.datetime.combine(data["day"], data["start"]))
        return starts, starts + datetime.timedelta(minutes=data["minutes"])


class SlotGenerateForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    counselor = forms.ModelChoiceField(label=_("Counselor"), queryset=User.objects.none())
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

    def __init__(self, *args, school_id: int, counselors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = selectors.rooms_of_school(school_id)
        self.fields["counselor"].queryset = counselors
        self.fields["counselor"].label_from_instance = lambda user: user.display_name
        if counselors.count() == 1:
            self.fields["counselor"].initial = counselors.first()

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
