"""Leave from a duty (seed 000): asked in advance with a reason, taking effect only when the
director approves; the gap it leaves is filled with a substitute the system proposes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.decorators import permission_required
from xinqiao.rooms import access
from xinqiao.rooms.forms import add_service_errors
from xinqiao.rooms.leave import services
from xinqiao.rooms.leave.forms import LeaveDecisionForm, LeaveRequestForm, SubstituteForm
from xinqiao.rooms.models import LeaveRequest
from xinqiao.rooms.roster.selectors import free_people


@login_required
def leave_request(request, pk: int):
    """The person on a shift asks for leave from it."""
    shift = access.get_shift(request, pk, "rooms.request_leave")
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leave = services.leave_request(
                actor=request.user, shift=shift, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your request is sent. You stay on duty until the director approves it."),
            )
            return redirect("rooms:leave_detail", pk=leave.pk)
    open_request = shift.leave_requests.filter(
        requester=request.user, state=LeaveRequest.State.REQUESTED
    ).first()
    return render(
        request,
        "rooms/leave_request.html",
        {
            "shift": shift,
            "form": form,
            "open_request": open_request,
            "started": shift.starts <= timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@permission_required("rooms.request_leave")
def leave_list(request):
    """The director's list of the school's requests (waiting ones first); for others their own."""
    leaves = LeaveRequest.objects.for_user(request.user).select_related(
        "shift__room", "requester", "substitute", "decided_by"
    )
    state = request.GET.get("state", "")
    if state in LeaveRequest.State.values:
        leaves = leaves.filter(state=state)
    mine = request.GET.get("mine") == "1"
    if mine:
        leaves = leaves.filter(requester=request.user)
    page = Paginator(leaves.order_by("-requested_at"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "rooms/leave_list.html",
        {
            "page": page,
            "state": state,
            "states": LeaveRequest.State.choices,
            "mine": mine,
            "may_decide": request.user.has_perm("rooms.decide_leave"),
        },
    )


def _detail_context(request, leave: LeaveRequest, **forms) -> dict:
    may_decide = request.user.has_perm("rooms.decide_leave", leave)
    shift = leave.shift
    context = {
        "leave": leave,
        "shift": shift,
        "may_decide": may_decide,
        "may_withdraw": leave.requester_id == request.user.pk
        and leave.state == LeaveRequest.State.REQUESTED,
        "needs_substitute": may_decide
        and leave.state == LeaveRequest.State.APPROVED
        and (shift.user_id is None or shift.user_id == leave.substitute_id),
    }
    if may_decide and leave.state == LeaveRequest.State.REQUESTED:
        context["decision_form"] = forms.get("decision_form") or LeaveDecisionForm()
    if context["needs_substitute"]:
        people = free_people(shift=shift)
        context["free_people"] = people
        context["substitute_form"] = forms.get("substitute_form") or SubstituteForm(
            people=people, initial={"substitute": leave.substitute}
        )
    return context


@permission_required("rooms.request_leave")
def leave_detail(request, pk: int):
    leave = access.get_leave(request, pk)
    return render(request, "rooms/leave_detail.html", _detail_context(request, leave))


@require_POST
@login_required
def leave_decide(request, pk: int):
    leave = access.get_leave(request, pk, "rooms.decide_leave")
    form = LeaveDecisionForm(request.POST)

    def decide(data: dict) -> str:
        services.leave_decide(
            actor=request.user, leave=leave, approve=form.approve, note=data["note"]
        )
        if form.approve:
            return _("Leave approved. Choose a substitute for the duty now.")
        return _("Leave refused; the person stays on duty.")

    return _director_step(request, leave, form, decide, form_name="decision_form")


@require_POST
@login_required
def leave_substitute(request, pk: int):
    leave = access.get_leave(request, pk, "rooms.decide_leave")
    form = SubstituteForm(request.POST, people=free_people(shift=leave.shift))

    def assign(data: dict) -> str:
        substitute = data["substitute"]
        services.leave_assign_substitute(actor=request.user, leave=leave, substitute=substitute)
        return _("%(name)s stands in; the roster shows it.") % {"name": substitute.display_name}

    return _director_step(request, leave, form, assign, form_name="substitute_form")


def _director_step(request, leave: LeaveRequest, form, act, *, form_name: str):
    """Apply the director's decision or substitute in ``form`` with ``act(data)``, which calls
    the service and returns the message to show; back to the request when done, else the
    request's page again with the form's errors."""
    if form.is_valid():
        try:
            message = act(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("rooms:leave_detail", pk=leave.pk)
    leave = access.get_leave(request, leave.pk)
    return render(
        request,
        "rooms/leave_detail.html",
        _detail_context(request, leave, **{form_name: form}),
        status=400,
    )


@require_POST
@permission_required("rooms.request_leave")
def leave_withdraw(request, pk: int):
    leave = access.get_leave(request, pk)
    if leave.requester_id != request.user.pk:
        raise PermissionDenied
    try:
        services.leave_withdraw(actor=request.user, leave=leave)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your leave request is withdrawn."))
    return redirect("rooms:leave_detail", pk=leave.pk)
