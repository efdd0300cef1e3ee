"""Pages of a guardian's record request: the guardian's form and list (phone first), the staff
list sorted by deadline, the request page with the review and the decision, the download."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core import exports
from xinqiao.core.access import record_read
from xinqiao.core.access_log import record_access
from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import DOCX_CONTENT_TYPE
from xinqiao.core.views.common import run_step
from xinqiao.rights import services
from xinqiao.rights.access import get_request_or_refuse
from xinqiao.rights.forms import AskForm, DecideForm
from xinqiao.rights.models import RecordRequest


@permission_required("rights.ask")
def ask(request):
    children = services.linked_children(request.user)
    form = AskForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_submit(
                actor=request.user,
                student=data["child"],
                kind=data["kind"],
                asked=data["asked"],
                record_reference=data["record_reference"],
                correction=data["correction"],
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your request %(number)s is received. The school answers by %(due)s.")
                % {"number": created.number, "due": timezone.localdate(created.due_at)},
            )
            return redirect("rights:request_detail", pk=created.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "rights/ask.html",
        {
            "form": form,
            "has_children": children.exists(),
            "days": settings.RIGHTS_RESPONSE_DAYS,
        },
        status=status,
    )


@permission_required("rights.ask")
def my_requests(request):
    mine = RecordRequest.objects.for_user(request.user).filter(guardian_id=request.user.pk)
    page = Paginator(mine.select_related("student").order_by("-received_at", "-pk"), 20)
    return render(request, "rights/mine.html", {"page": page.get_page(request.GET.get("page"))})


def filter_requests(queryset, *, state: str = "", due: str = "", now=None):
    """The staff list's filters: a state ("open" by default), overdue, due within 7 days."""
    now = now or timezone.now()
    if state == "open" or not state:
        queryset = queryset.filter(state__in=RecordRequest.OPEN_STATES)
    elif state in RecordRequest.State.values:
        queryset = queryset.filter(state=state)
    if due == "overdue":
        queryset = queryset.filter(state__in=RecordRequest.OPEN_STATES, due_at__lt=now)
    elif due == "soon":
        queryset = queryset.filter(
            state__in=RecordRequest.OPEN_STATES,
            due_at__gte=now,
            due_at__lte=now + datetime.timedelta(days=settings.RIGHTS_REMIND_DAYS),
        )
    return queryset.order_by("due_at", "pk")


@permission_required("rights.view_request_list")
def request_list(request):
    state = request.GET.get("state", "open")
    due = request.GET.get("due", "")
    requests = filter_requests(
        RecordRequest.objects.for_user(request.user).select_related("student__school_class"),
        state=state,
        due=due,
    )
    page = Paginator(requests, 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for item in page:
        item.left = item.days_left(today)
        item.overdue_by = -item.left
    return render(
        request,
        "rights/request_list.html",
        {
            "page": page,
            "state": state,
            "due": due,
            "states": [("open", _("Open")), *RecordRequest.State.choices, ("all", _("All"))],
        },
    )


@login_required
def request_detail(request, pk: int):
    record_request = get_request_or_refuse(request, pk)
    return _render_detail(request, record_request)


def _render_detail(request, record_request: RecordRequest, *, decide_form=None, status=200):
    user = request.user
    context = {"item": record_request, "left": record_request.days_left()}
    if record_request.guardian_id == user.pk:
        context["may_withdraw"] = user.has_perm("rights.withdraw", record_request) and (
            record_request.state != RecordRequest.State.DECIDED
        )
        context["correction"] = getattr(record_request, "applied_correction", None)
        return render(request, "rights/guardian_detail.html", context, status=status)
    record_read(request, record_request, basis="rights: the request and its review")
    records = services.child_records(record_request)
    reviews = services.reviews_of(record_request)
    is_director = user.has_perm("rights.decide", record_request)
    if user.has_perm("rights.review_notes", record_request):
        mine = list(records.filter(case__counselors__user_id=user.pk))
        for record in mine:
            record.review = reviews.get(record.pk)
        context["to_review"] = mine
    if is_director:
        all_records = list(records)
        context["review_counts"] = {
            "total": len(all_records),
            "releasable": sum(1 for r in reviews.values() if r.may_release),
            "withheld": sum(1 for r in reviews.values() if not r.may_release),
            "waiting": sum(1 for r in all_records if r.pk not in reviews),
        }
        if record_request.state == RecordRequest.State.UNDER_REVIEW:
            context["decide_form"] = decide_form or DecideForm(
                request=record_request, records=records
            )
    context.update(
        is_director=is_director,
        correction=getattr(record_request, "applied_correction", None),
        may_download=user.has_perm("rights.download", record_request),
    )
    return render(request, "rights/staff_detail.html", context, status=status)


def _step(request, pk: int, perm: str, step, done: str):
    record_request = get_request_or_refuse(request, pk, perm)
    run_step(request, lambda: step(record_request), done)
    return redirect("rights:request_detail", pk=record_request.pk)


@login_required
@require_POST
def take_up(request, pk: int):
    return _step(
        request,
        pk,
        "rights.decide",
        lambda item: services.request_take_up(actor=request.user, request=item),
        _("The request is under review."),
    )


@login_required
@require_POST
def review(request, pk: int):
    return _step(
        request,
        pk,
        "rights.review_notes",
        lambda item: services.notes_review(
            actor=request.user,
            request=item,
            reviewed=[v for v in request.POST.getlist("reviewed") if v.isdigit()],
            releasable=[v for v in request.POST.getlist("releasable") if v.isdigit()],
        ),
        _("Your review is recorded."),
    )


@login_required
@require_POST
def decide(request, pk: int):
    record_request = get_request_or_refuse(request, pk, "rights.decide")
    records = services.child_records(record_request)
    form = DecideForm(request.POST, request=record_request, records=records)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_decide(
                actor=request.user,
                request=record_request,
                outcome=data["outcome"],
                reasons=data["reasons"],
                parts=data.get("parts", ()),
                record=data.get("record"),
                correction_text=data.get("correction_text", ""),
                http_request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision is recorded and the guardian is told."))
            return redirect("rights:request_detail", pk=record_request.pk)
    record_request.refresh_from_db()
    return _render_detail(request, record_request, decide_form=form, status=400)


@login_required
@require_POST
def release(request, pk: int):
    return _step(
        request,
        pk,
        "rights.decide",
        lambda item: services.request_release(
            actor=request.user, request=item, http_request=request
        ),
        _("The copy is released; the guardian may download it."),
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    return _step(
        request,
        pk,
        "rights.withdraw",
        lambda item: services.request_withdraw(actor=request.user, request=item),
        _("The request is withdrawn."),
    )


def copy_response(request, pk: int) -> HttpResponse:
    """The released copy as it was released, for the page and the API alike; each download
    is in the access log."""
    record_request = get_request_or_refuse(request, pk, "rights.download")
    record_access(
        actor=request.user,
        action="export",
        obj=record_request,
        request=request,
        basis="rights: released copy downloaded",
    )
    return exports.download(
        services.released_copy(record_request),
        content_type=DOCX_CONTENT_TYPE,
        filename=f"{record_request.number}.docx",
    )


@login_required
def download(request, pk: int):
    return copy_response(request, pk)
