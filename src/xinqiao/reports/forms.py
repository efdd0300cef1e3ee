"""The research export form: for which school (or district), which period, which k, what."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.cases.forms import OnceForm
from xinqiao.core.deidentify_table import default_k
from xinqiao.core.roles import Role
from xinqiao.core.widgets import DatePicker
from xinqiao.people.models import District, School
from xinqiao.reports.models import ResearchExport
from xinqiao.reports.services_research import K_MAX, K_MIN


def export_scopes(user) -> list[tuple[str, str]]:
    """("school:<id>" | "district:<id>", label): the schools the user directs, and the
    districts whose center they are."""
    choices = [
        (f"school:{school.pk}", school.name)
        for school in School.objects.filter(pk__in=user.school_ids_with(Role.DIRECTOR)).order_by(
            "name", "pk"
        )
    ]
    if user.has_role(Role.DISTRICT):
        choices += [
            (
                f"district:{district.pk}",
                _("%(district)s (all its schools)") % {"district": district},
            )
            for district in District.objects.filter(pk__in=user.district_ids).order_by("name")
        ]
    return choices


class ResearchExportForm(OnceForm):
    scope = forms.ChoiceField(label=_("Schools"))
    period_start = forms.DateField(label=_("From"), widget=DatePicker)
    period_end = forms.DateField(label=_("Until"), widget=DatePicker)
    k = forms.IntegerField(
        label=_("k: every released combination covers at least k students"),
        min_value=K_MIN,
        max_value=K_MAX,
        error_messages={
            "min_value": _("k must be at least %(limit_value)s."),
            "max_value": _("k must be at most %(limit_value)s."),
        },
    )
    include = forms.MultipleChoiceField(
        label=_("Include"),
        choices=ResearchExport.Include.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what the export includes.")},
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = export_scopes(user)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("period_start", datetime.date(today.year - 1, 9, 1))
            self.initial.setdefault("period_end", today)
            self.initial.setdefault("k", default_k())
            self.initial.setdefault("include", list(ResearchExport.Include.values))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The end of the period cannot be before its start."))
        return data

    def scope_objects(self) -> tuple[School | None, District | None]:
        kind, _sep, pk = self.cleaned_data["scope"].partition(":")
        if kind == "school":
            return School.objects.get(pk=int(pk)), None
        return None, District.objects.get(pk=int(pk))
