"""Alert pages: the list and the detail of an alert, and the steps of its state machine.

The evidence is confidential (DESIGN.md principle 1): only holders of ``crisis.change_alert``
read it, and every such read is written to the access log. A signed-in person who is refused
an alert is written to the access log too (seed 000: duty staff must not read stored material).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinqiao.core.access import record_read
from xinqiao.core.decorators import permission_required
from xinqiao.crisis import services
from xinqiao.crisis.access import get_alert_or_refuse
from xinqiao.crisis.escalation import alert_timeline
from xinqiao.crisis.models import Alert


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it a false alarm?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class OptionalNoteForm(NoteForm):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


@permission_required("crisis.view_alert")
def alert_list(request):
    alerts = Alert.objects.for_user(request.user).select_related("student", "raised_by")
    state = request.GET.get("state", "open")
    if state == "open":
        alerts = alerts.filter(state__in=Alert.OPEN_STATES)
    elif state in Alert.State.values:
        alerts = alerts.filter(state=state)
    risk = request.GET.get("risk", "")
    if risk in Alert.RiskLevel.values:
        alerts = alerts.filter(risk_level=risk)
    page = Paginator(alerts.order_by("-raised_at"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "crisis/alert_list.html",
        {
            "page": page,
            "state": state,
            "risk": risk,
            "states": Alert.State.choices,
            "risks": Alert.RiskLevel.choices,
        },
    )


@login_required
def alert_detail(request, pk: int):
    alert = get_alert_or_refuse(request, pk)
    return _render_detail(request, alert)


def _render_detail(
    request, alert: Alert, *, resolve_form=None, dismiss_form=None, status: int = 200
):
    may_handle = request.user.has_perm("crisis.change_alert", alert)
    if may_handle:
        record_read(request, alert, basis="counseling staff of the school")
    allowed = Alert.TRANSITIONS[alert.state] if may_handle else set()
    may_acknowledge = request.user.has_perm("crisis.acknowledge_alert", alert)
    return render(
        request,
        "crisis/alert_detail.html",
        {
            "alert": alert,
            "may_handle": may_handle,
            "told": not may_handle and may_acknowledge,
            "timeline": alert_timeline(alert),
            "can_acknowledge": may_acknowledge
            and Alert.State.ACKNOWLEDGED in Alert.TRANSITIONS[alert.state],
            "can_intervene": Alert.State.IN_INTERVENTION in allowed,
            "can_resolve": Alert.State.RESOLVED in allowed,
            "can_dismiss": Alert.State.DISMISSED in allowed,
            "intervene_form": OptionalNoteForm(),
            "resolve_form": resolve_form or NoteForm(),
            "dismiss_form": dismiss_form or ReasonForm(),
        },
        status=status,
    )


def _step(request, pk: int, step, perm: str = "crisis.change_alert") -> object:
    alert = get_alert_or_refuse(request, pk, perm)
    try:
        step(alert)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("crisis:alert_detail", pk=alert.pk)


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    return _step(
        request,
        pk,
        lambda alert: services.alert_acknowledge(actor=request.user, alert=alert),
        "crisis.acknowledge_alert",
    )


@login_required
@require_POST
def alert_intervene(request, pk: int):
    form = OptionalNoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _step(
        request,
        pk,
        lambda alert: services.alert_transition(
            actor=request.user, alert=alert, to_state=Alert.State.IN_INTERVENTION, note=note
        ),
    )


def _closing_step(request, pk: int, form_class, close, form_name: str, done: str):
    """Resolve or dismiss: the text is required; a refusal keeps what was typed."""
    alert = get_alert_or_refuse(request, pk, "crisis.change_alert")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            close(alert, next(iter(form.cleaned_data.values())))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("crisis:alert_detail", pk=alert.pk)
    return _render_detail(request, alert, status=400, **{form_name: form})


@login_required
@require_POST
def alert_resolve(request, pk: int):
    return _closing_step(
        request,
        pk,
        NoteForm,
        lambda alert, note: services.alert_resolve(actor=request.user, alert=alert, note=note),
        "resolve_form",
        _("The alert is resolved."),
    )


@login_required
@require_POST
def alert_dismiss(request, pk: int):
    return _closing_step(
        request,
        pk,
        ReasonForm,
        lambda alert, reason: services.alert_dismiss(
            actor=request.user, alert=alert, reason=reason
        ),
        "dismiss_form",
        _("The alert is dismissed."),
    )
