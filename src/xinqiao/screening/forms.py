"""The director's campaign form and the forms of the campaign pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqiao.core.widgets import DateTimePicker
from xinqiao.people.models import Grade, SchoolClass
from xinqiao.screening.definitions import PRIMARY_LANGUAGE
from xinqiao.screening.library import current_library
from xinqiao.screening.models import Campaign, Participation

DEFAULT_SUPPORTIVE_MESSAGE = _(
    "Thank you for answering carefully. If you would like to talk to someone, the counseling "
    "room is always open to you."
)


def administrable_scales() -> list:
    """The scales the school may give, in a stable order."""
    library = current_library()
    return [d for key, d in sorted(library.definitions.items()) if d.administrable]


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    purpose = forms.CharField(
        label=_("What and why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Told to guardians and respondents beforehand: what is asked and why."),
    )
    audience = forms.ChoiceField(
        label=_("Who takes it"),
        choices=Campaign.Audience.choices,
        initial=Campaign.Audience.STUDENTS,
        widget=forms.RadioSelect,
    )
    grades = forms.ModelMultipleChoiceField(
        label=_("Whole grades"), queryset=Grade.objects.none(), required=False
    )
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"), queryset=SchoolClass.objects.none(), required=False
    )
    scales = forms.MultipleChoiceField(label=_("Scales"), choices=())
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimePicker())
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimePicker())
    class_teachers_see_follow_ups = forms.BooleanField(
        label=_("Class teachers see whom to send for an interview (never why)"),
        required=False,
        initial=True,
    )
    respondents_see_scores = forms.BooleanField(
        label=_("Respondents see their own scores"), required=False
    )
    supportive_message = forms.CharField(
        label=_("Supportive message shown after submitting"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=DEFAULT_SUPPORTIVE_MESSAGE,
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grades"].queryset = Grade.objects.filter(school=school).order_by("level")
        self.fields["classes"].queryset = (
            SchoolClass.objects.filter(school=school, graduated=False)
            .select_related("grade")
            .order_by("grade__level", "number")
        )
        self.scale_definitions = administrable_scales()
        self.fields["scales"].choices = [
            (f"{d.id}@{d.version}", d.name.get(PRIMARY_LANGUAGE, d.id))
            for d in self.scale_definitions
        ]

    def grade_groups(self) -> list[dict]:
        """The classes grouped by grade, each with what was ticked (kept after an error)."""
        chosen_grades = {str(v) for v in (self["grades"].value() or [])}
        chosen_classes = {str(v) for v in (self["classes"].value() or [])}
        groups: dict[int, dict] = {}
        for grade in self.fields["grades"].queryset:
            groups[grade.pk] = {
                "grade": grade,
                "checked": str(grade.pk) in chosen_grades,
                "classes": [],
            }
        for school_class in self.fields["classes"].queryset:
            group = groups.get(school_class.grade_id)
            if group is not None:
                group["classes"].append(
                    {"class": school_class, "checked": str(school_class.pk) in chosen_classes}
                )
        return list(groups.values())

    def scale_rows(self) -> list[dict]:
        chosen = set(self["scales"].value() or [])
        return [
            {
                "key": f"{d.id}@{d.version}",
                "definition": d,
                "name": d.name.get(PRIMARY_LANGUAGE, d.id),
                "checked": f"{d.id}@{d.version}" in chosen,
            }
            for d in self.scale_definitions
        ]


class ParticipationFilterForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=_("Class"),
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *Participation.State.choices],
        required=False,
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
