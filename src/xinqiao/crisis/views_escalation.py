"""Pages of escalation: the director's crisis board, the deadlines of each level, and what a
class teacher is asked to do (never why)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.decorators import permission_required
from xinqiao.core.roles import Role
from xinqiao.crisis.board import board_sections
from xinqiao.crisis.escalation import instruction_for
from xinqiao.crisis.models import Alert, AlertNotice, EscalationPolicy
from xinqiao.crisis.services_escalation import escalation_policy_save
from xinqiao.people.models import School

BOARD_ROWS = 50  # per group; the alert list pages the rest
LEVEL_ORDER = [Alert.RiskLevel.CRISIS, Alert.RiskLevel.HIGH, Alert.RiskLevel.CONCERN]


def _directed_school(user) -> School:
    school = (
        School.objects.for_user(user)
        .filter(pk__in=user.school_ids_with(Role.DIRECTOR))
        .order_by("name", "pk")
        .first()
    )
    if school is None:
        raise PermissionDenied
    return school


def countdown(delta: datetime.timedelta) -> str:
    """ "7 min", "2 h 5 min", "3 days": how long until (or since) a deadline."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    if minutes < 48 * 60:
        return _("%(hours)s h %(minutes)s min") % {"hours": minutes // 60, "minutes": minutes % 60}
    return _("%(days)s days") % {"days": minutes // (24 * 60)}


def _due_at(alert: Alert) -> datetime.datetime | None:
    if alert.state != Alert.State.RAISED:
        return None
    try:
        return alert.escalation.due_at
    except ObjectDoesNotExist:  # raised before escalation existed
        return None


def open_alerts_section(*, request, school: School, now: datetime.datetime) -> dict:
    """The open alerts of the school: the overdue first (longest overdue on top), then each
    level with the soonest deadline first, acknowledged ones after."""
    alerts = (
        Alert.objects.for_user(request.user)
        .filter(school=school, state__in=Alert.OPEN_STATES)
        .select_related("student__school_class__grade", "escalation")
        .order_by("raised_at")
    )
    overdue, by_level = [], {level: [] for level in LEVEL_ORDER}
    for alert in alerts:
        due = _due_at(alert)
        row = {"alert": alert, "due_at": due, "overdue": due is not None and due <= now}
        if due is not None:
            row["countdown"] = countdown(due - now)
        (overdue if row["overdue"] else by_level[alert.risk_level]).append(row)
    far = now + datetime.timedelta(days=3650)
    overdue.sort(key=lambda row: row["due_at"])
    for rows in by_level.values():
        rows.sort(key=lambda row: (row["due_at"] is None, row["due_at"] or far))
    labels = dict(Alert.RiskLevel.choices)
    return {
        "overdue": overdue[:BOARD_ROWS],
        "levels": [
            {"level": level, "label": labels[level], "rows": rows[:BOARD_ROWS], "more": len(rows)}
            for level, rows in by_level.items()
        ],
        "more_overdue": len(overdue) > BOARD_ROWS,
        "rows_shown": BOARD_ROWS,
    }


@permission_required("crisis.view_board")
def board(request):
    """The director's crisis board; an htmx request (its refresh) gets the sections only."""
    now = timezone.now()
    school = _directed_school(request.user)
    context = {
        "school": school,
        "now": now,
        "sections": board_sections(request=request, school=school, now=now),
    }
    template = "crisis/board_sections.html" if request.htmx else "crisis/board.html"
    return render(request, template, context)


class EscalationPolicyForm(forms.ModelForm):
    class Meta:
        model = EscalationPolicy
        fields = ["crisis_minutes", "school_day_ends_at", "concern_days"]
        widgets = {"school_day_ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


@permission_required("crisis.manage_escalation")
def escalation_policy(request):
    """The deadlines of each level for the director's school."""
    school = _directed_school(request.user)
    policy = EscalationPolicy.for_school(school.pk)
    form = EscalationPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        escalation_policy_save(actor=request.user, school=school, **form.cleaned_data)
        messages.success(request, _("The deadlines are saved."))
        return redirect("crisis:escalation_policy")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "crisis/escalation_policy.html",
        {"form": form, "school": school},
        status=status,
    )


@permission_required("crisis.view_instructions")
def my_instructions(request):
    """What the class teacher is asked to do for their students: the instruction, not why."""
    notices = (
        AlertNotice.objects.for_user(request.user)
        .filter(recipient=request.user, role=AlertNotice.Role.CLASS_TEACHER)
        .select_related("alert__student__school_class__grade")
        .order_by("-told_at", "-pk")
    )
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    rows = [{"notice": n, "instruction": instruction_for(n.alert)} for n in page]
    return render(request, "crisis/my_instructions.html", {"page": page, "rows": rows})
