"""Forms of the case workflow. They check input and name people and students; services decide."""

from __future__ import annotations

import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.cases import services_intake, services_plans, services_records
from xinqiao.cases.models import (
    Case,
    Conference,
    PlanMeasure,
    ProblemCategory,
    SessionRecord,
    Severity,
)
from xinqiao.core.models import User
from xinqiao.core.roles import COUNSELING_ROLES
from xinqiao.core.widgets import DatePicker, DateTimePicker
from xinqiao.people.models import Student
from xinqiao.people.selectors import holders_of


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class OnceForm(forms.Form):
    """A form whose double submission stores one thing (DESIGN.md principle 5)."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())


class IntakeForm(OnceForm):
    """What every intake holds (seed 003 需求受理: 问题描述、相关背景情况), whoever writes it."""

    problem = forms.CharField(
        label=_("The problem described"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    background = forms.CharField(
        label=_("Background"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Case.Urgency.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("urgency", Case.Urgency.NORMAL)


class CaseOpenForm(IntakeForm):
    """Intake by the counseling staff, from any channel (seed 003 受理渠道)."""

    student_number = forms.CharField(label=_("Student number"), max_length=30)
    channel = forms.ChoiceField(label=_("Channel"), choices=Case.Channel.choices)
    brought_by = forms.CharField(label=_("Brought by (who, how)"), max_length=100, required=False)
    field_order = ["student_number", "channel", "brought_by"]

    def __init__(self, *args, school, **kwargs):
        self.school = school
        super().__init__(*args, **kwargs)

    def clean_student_number(self) -> str:
        number = self.cleaned_data["student_number"].strip()
        self.student = Student.objects.filter(school=self.school, student_number=number).first()
        if self.student is None:
            raise forms.ValidationError(_("No student of the school has this number."))
        return number


class ReferStudentForm(IntakeForm):
    """A teacher's referral (教师转介) or a guardian's concern (家长反馈): few words, no form-filling."""

    student = forms.ModelChoiceField(label=_("Student"), queryset=Student.objects.none())
    field_order = ["student"]

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        if len(only := students[:2]) == 1:  # a guardian of one child does not have to choose
            self.fields["student"].empty_label = None
            self.initial.setdefault("student", only[0].pk)
        self.fields["problem"].label = _("What you noticed")
        self.fields["background"].label = _("Anything else the counselor should know")


class BriefAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("What was answered"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class CounselorsForm(forms.Form):
    lead = StaffChoiceField(label=_("Lead counselor"), queryset=User.objects.none())
    others = StaffMultipleChoiceField(
        label=_("Other counselors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        counselors = holders_of(case.school_id, *COUNSELING_ROLES)
        self.fields["lead"].queryset = counselors
        self.fields["others"].queryset = counselors


class AssessmentForm(CounselorsForm):
    field_order = ["categories", "severity", "measures_needed", "notes"]

    categories = forms.ModelMultipleChoiceField(
        label=_("Nature of the problem"),
        queryset=ProblemCategory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, widget=forms.RadioSelect
    )
    measures_needed = forms.CharField(
        label=_("Measures likely needed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    notes = forms.CharField(
        label=_("Assessment notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        services_intake.categories_ensure_defaults(school=case.school)
        self.fields["categories"].queryset = ProblemCategory.objects.filter(
            school_id=case.school_id, is_active=True
        )


class ConferenceForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("When"), widget=DateTimePicker())
    place = forms.CharField(label=_("Place"), max_length=100)
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    participants = StaffMultipleChoiceField(
        label=_("Participants"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Counselors read the case; the others see only what the conference shares."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = services_plans.conference_candidates(case)

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        if value < timezone.now() - timezone.timedelta(days=30):
            raise forms.ValidationError(_("The date is too far in the past."))
        return value


class ConferenceRecordForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Who attended"), widget=forms.CheckboxSelectMultiple, required=False
    )
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000
    )
    shared_summary = forms.CharField(
        label=_("What is shared with the participants outside the counseling staff"),
        help_text=_("Only what they must know to act: what is asked of them, never why."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )

    def __init__(self, *args, conference: Conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(seat.user_id), seat.user.display_name)
            for seat in conference.participants.select_related("user")
        ]


class PlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    review_every_weeks = forms.IntegerField(
        label=_("Review every (weeks)"), min_value=1, max_value=26, initial=4
    )
    change_reason = forms.CharField(
        label=_("Why the plan is adjusted"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )


class MeasureForm(forms.Form):
    # A blank first choice: an untouched row sends nothing, so it is dropped (issue 12 item 27).
    kind = forms.ChoiceField(label=_("Measure"), choices=[("", "—"), *PlanMeasure.Kind.choices])
    description = forms.CharField(
        label=_("What is done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    responsible = StaffChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    responsible_name = forms.CharField(
        label=_("or a volunteer (name)"), max_length=100, required=False
    )
    starts_on = forms.DateField(label=_("From"), widget=DatePicker())
    ends_on = forms.DateField(label=_("Until"), widget=DatePicker(), required=False)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff if staff is not None else User.objects.none()

    def clean(self):
        data = super().clean()
        if not data.get("responsible") and not (data.get("responsible_name") or "").strip():
            raise forms.ValidationError(_("Name who is responsible for the measure."))
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("The measure ends before it starts."))
        return data

    def has_changed(self) -> bool:
        """Whether anything besides the dates is filled in, whatever the row showed before: an
        empty row (an untouched blank one, the first row of a new plan with only its start
        date, or a measure emptied to drop it) is skipped, and a measure left as it was is kept."""
        return any(
            self[name].data not in field.empty_values
            for name, field in self.fields.items()
            if name not in ("starts_on", "ends_on")
        )

    def measure_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "description": data["description"].strip(),
            "responsible": data.get("responsible"),
            "responsible_name": (data.get("responsible_name") or "").strip(),
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
        }


class BaseMeasureFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        # Any row may be left empty, an existing measure's too (it is dropped); ``clean`` asks
        # for at least one measure.
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if not filled:
            raise forms.ValidationError(_("A plan needs at least one measure."))


MeasureFormSet = forms.formset_factory(MeasureForm, formset=BaseMeasureFormSet, extra=2)


class SessionRecordForm(OnceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionRecord.Kind.choices)
    held_at = forms.DateTimeField(label=_("When"), widget=DateTimePicker())
    place = forms.CharField(label=_("Place"), max_length=100)
    participants = forms.CharField(label=_("Participants"), max_length=200, required=False)
    problem = forms.CharField(
        label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000
    )
    measures_taken = forms.CharField(
        label=_("Measures taken"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000
    )
    effect = forms.CharField(
        label=_("Effect"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )
    next_step = forms.CharField(
        label=_("Next step"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )
    student_agreed = forms.BooleanField(
        label=_(
            "The student was told what counseling is and what their rights are, and agreed to "
            "it (informed and voluntary)"
        ),
        help_text=_(
            "No agreement to counseling is recorded for this case yet. Needed for an individual "
            "or group session; ticking it records the student's consent with this record."
        ),
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        if not services_records.counseling_agreement_missing(case, SessionRecord.Kind.INDIVIDUAL):
            del self.fields["student_agreed"]


class StageSummaryForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DatePicker())
    period_end = forms.DateField(label=_("Until"), widget=DatePicker())
    summary = forms.CharField(
        label=_("Stage summary"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000
    )


RATING_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 11)]


class EvaluationForm(forms.Form):
    evaluated_on = forms.DateField(label=_("Date"), widget=DatePicker())
    student_rating = forms.TypedChoiceField(
        label=_("Student's self-rating (1–10)"), choices=RATING_CHOICES[1:], coerce=int
    )
    teacher_rating = forms.TypedChoiceField(
        label=_("Class teacher's rating (1–10)"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    guardian_rating = forms.TypedChoiceField(
        label=_("Guardian's rating (1–10)"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    guardian_feedback = forms.CharField(
        label=_("Guardian's feedback"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )
    questionnaire = forms.CharField(label=_("Questionnaire"), max_length=100, required=False)
    questionnaire_score = forms.DecimalField(
        label=_("Questionnaire score"), max_digits=7, decimal_places=2, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )


class ClosingForm(forms.Form):
    """The closing summary, and how each open measure of the plan ended (issue 12 item 21):
    a field ``measure_<id>`` for its end, ``measure_<id>_reason`` for why."""

    closing_summary = forms.CharField(
        label=_("Closing summary"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_measures = list(services_records.open_measures(case))
        endings = [(s.value, s.label) for s in PlanMeasure.END_STATUSES]
        for measure in self.open_measures:
            name = f"measure_{measure.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("How it ended: %(kind)s · %(what)s · %(who)s")
                % {
                    "kind": measure.get_kind_display(),
                    "what": measure.description,
                    "who": measure.responsible_label,
                },
                choices=endings,
                widget=forms.RadioSelect,
            )
            self.fields[f"{name}_reason"] = forms.CharField(
                label=_("Why it was not done or stopped"), max_length=1000, required=False
            )

    def measure_ends(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            m.pk: (data[f"measure_{m.pk}"], data[f"measure_{m.pk}_reason"])
            for m in self.open_measures
        }


class MeasureActivityForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DatePicker())
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600, required=False)
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
