"""The "waiting for me" page: every step the signed-in person must act on, each with the link
to where they act (core/steps.py), oldest first, filtered by what it is about and paged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from xinqiao.core.models import PendingStep
from xinqiao.core.steps import waiting_kinds

PAGE_SIZE = 30


@login_required
def waiting_list(request):
    steps = PendingStep.objects.for_user(request.user)
    kinds = waiting_kinds(steps)
    shown = request.GET.get("type", "")
    if shown in {kind.object_type for kind in kinds}:
        steps = steps.filter(object_type=shown)
    else:
        shown = ""
    page = Paginator(steps, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/waiting.html",
        {
            "page": page,
            "steps": page.object_list,
            "kinds": kinds,
            "total": sum(kind.count for kind in kinds),
            "shown": shown,
        },
    )
