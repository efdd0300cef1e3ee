"""Access grants (查阅授权, issue 16 item 1): ask, my requests, the director's list, decide,
revoke. Thin: a getter, a form, one service call (cases/services_grants.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.cases import services_grants as services
from xinqiao.cases.access import get_grant
from xinqiao.cases.forms_grants import GrantDecisionForm, GrantRequestForm, end_of_day
from xinqiao.cases.models import AccessGrant, Case
from xinqiao.core.access import record_read
from xinqiao.core.access_log import record_access
from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.core.roles import Role
from xinqiao.core.views.common import run_step

PAGE_SIZE = 30
DIRECTOR_BASIS = "director of the school: access requests"


@permission_required("cases.request_access")
def grant_request(request):
    """Ask the director for a read-only look at one case or one student's file."""
    initial = {
        "case_number": request.GET.get("case", "")[:30],
        "ends_on": timezone.localdate() + timezone.timedelta(days=7),
    }
    form = GrantRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = services.request_target(
            request.user,
            kind=data["kind"],
            case_number=data["case_number"],
            student_number=data["student_number"],
        )
        if target is None and data["kind"] == AccessGrant.Kind.CASE:
            form.add_error("case_number", _("No case of your school has this number."))
        elif target is None:
            form.add_error("student_number", _("No student of your school has this number."))
        else:
            try:
                services.grant_request(
                    actor=request.user,
                    case=target if isinstance(target, Case) else None,
                    student=None if isinstance(target, Case) else target,
                    reason=data["reason"],
                    ends_at=end_of_day(data["ends_on"]),
                    parts=data["parts"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your request is sent to the director."))
                return redirect("cases:grant_mine")
    return render(
        request,
        "cases/grant_request.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: by field when it names one the form has."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@permission_required("cases.request_access")
def grant_mine(request):
    """The requester's own requests: state, period, and a link to read while in force."""
    grants = services.grants_of_requester(request.user)
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/grant_mine.html", {"page": page})


@login_required
@require_POST
def grant_withdraw(request, pk: int):
    grant = get_grant(request, pk, "cases.withdraw_grant")
    run_step(
        request,
        lambda: services.grant_withdraw(actor=request.user, grant=grant),
        _("The request is withdrawn."),
    )
    return redirect("cases:grant_mine")


GRANT_FILTERS = ("requested", "in_force", "approved", "expired", "refused", "revoked", "withdrawn")


@permission_required("cases.decide_grants")
def grant_list(request):
    """The director's list (查阅授权): filter by state, requester, in force; paged."""
    grants = services.grants_to_decide(request.user)
    state = request.GET.get("state", "requested")
    now = timezone.now()
    if state == "in_force":
        grants = grants.in_force()
    elif state == "approved":
        grants = grants.filter(state=AccessGrant.State.APPROVED)
    elif state == "expired":
        grants = grants.filter(state=AccessGrant.State.APPROVED, expires_at__lte=now)
    elif state in AccessGrant.State.values:
        grants = grants.filter(state=state)
    else:
        state = ""
    requester = query_id(request, "requester")
    requesters = (
        services.grants_to_decide(request.user)
        .order_by()
        .values_list("requester_id", "requester__full_name", "requester__username")
        .distinct()
    )
    if requester:
        grants = grants.filter(requester_id=requester)
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    # The reasons are the requesters' words about a student: the page is a logged read.
    schools = sorted(request.user.school_ids_with(Role.DIRECTOR))
    record_access(
        actor=request.user,
        action="read",
        object_type=AccessGrant._meta.label,
        object_id="list",
        school_id=schools[0] if len(schools) == 1 else None,
        basis=DIRECTOR_BASIS,
        request=request,
    )
    return render(
        request,
        "cases/grant_list.html",
        {
            "page": page,
            "state": state,
            "states": [(value, _label(value)) for value in GRANT_FILTERS],
            "requester": requester,
            "requesters": sorted({(pk, full or user) for pk, full, user in requesters}),
        },
    )


def _label(value: str) -> str:
    if value == "in_force":
        return _("in force")
    if value == "expired":
        return _("expired")
    return str(AccessGrant.State(value).label)


@login_required
def grant_decide(request, pk: int):
    """One request: the director approves (perhaps narrowed, shortened) or refuses it."""
    grant = get_grant(request, pk, "cases.decide_grant")
    form = GrantDecisionForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("decision") == "refuse":
                services.grant_refuse(
                    actor=request.user, grant=grant, note=form.cleaned_data["note"]
                )
                done = _("The request is refused.")
            else:
                services.grant_approve(
                    actor=request.user,
                    grant=grant,
                    parts=form.cleaned_data["parts"],
                    ends_at=form.ends_at(),
                    note=form.cleaned_data["note"],
                )
                done = _("The request is approved.")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("cases:grant_list")
    record_read(request, grant, basis=DIRECTOR_BASIS)
    return render(
        request,
        "cases/grant_decide.html",
        {"grant": grant, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def grant_revoke(request, pk: int):
    """Revoke a grant at once (a confirmation page, then a POST)."""
    grant = get_grant(request, pk, "cases.decide_grant")
    if request.method == "POST":
        run_step(
            request,
            lambda: services.grant_revoke(actor=request.user, grant=grant),
            _("The grant is revoked: the next request under it is refused."),
        )
        return redirect("cases:grant_list")
    return render(request, "cases/grant_revoke.html", {"grant": grant})
