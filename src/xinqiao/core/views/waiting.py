"""The "waiting for me" page: every step the signed-in person must act on, each with the link
to where they act (core/steps.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from xinqiao.core.models import PendingStep


@login_required
def waiting_list(request):
    steps = PendingStep.objects.for_user(request.user)
    return render(request, "core/waiting.html", {"steps": steps})
