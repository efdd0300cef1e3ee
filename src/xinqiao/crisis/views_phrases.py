"""The director's danger-phrase list (crisis/phrases.py): edit it, and see per phrase how many
of its flags were dismissed as false alarms, to tune it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqiao.core.decorators import permission_required
from xinqiao.core.roles import Role
from xinqiao.crisis.models import Alert
from xinqiao.crisis.phrases import (
    LEVEL_ORDER,
    MAX_PHRASE_LENGTH,
    danger_phrases_replace,
    phrase_statistics,
    school_phrases,
)
from xinqiao.people.models import School


class PhraseListForm(forms.Form):
    """One box per level, one phrase a line."""

    crisis = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    high = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    concern = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for level in LEVEL_ORDER:
            self.fields[level].label = Alert.RiskLevel(level).label
            self.fields[level].help_text = gettext_lazy("One word or phrase a line.")

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for level in reversed(LEVEL_ORDER):
            for line in (data.get(level) or "").splitlines():
                phrase = line.strip()
                if not phrase:
                    continue
                if len(phrase) > MAX_PHRASE_LENGTH or any(ch.isspace() for ch in phrase):
                    self.add_error(
                        level,
                        _("“%(phrase)s”: a phrase has no spaces and at most %(n)s characters.")
                        % {"phrase": phrase, "n": MAX_PHRASE_LENGTH},
                    )
                elif phrase in seen:
                    self.add_error(level, _("“%(phrase)s” is listed twice.") % {"phrase": phrase})
                else:
                    seen[phrase] = level
        if not seen and not self.errors:
            raise ValidationError(_("Keep at least one phrase: an empty list would flag nothing."))
        data["phrases"] = seen
        return data


def _school(user) -> School:
    schools = School.objects.for_user(user).filter(pk__in=user.school_ids_with(Role.DIRECTOR))
    return schools.order_by("pk").first()


@permission_required("crisis.edit_phrases")
def phrases(request):
    school = _school(request.user)
    if request.method == "POST":
        form = PhraseListForm(request.POST)
        if form.is_valid():
            try:
                danger_phrases_replace(
                    actor=request.user, school=school, phrases=form.cleaned_data["phrases"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The list of danger phrases is saved."))
                return redirect("crisis:phrases")
        status = 400
    else:
        current = school_phrases(school.pk)
        form = PhraseListForm(
            initial={
                level: "\n".join(sorted(p for p, lv in current.items() if lv == level))
                for level in LEVEL_ORDER
            }
        )
        status = 200
    return render(
        request,
        "crisis/phrases.html",
        {"form": form, "statistics": phrase_statistics(school.pk)},
        status=status,
    )
