"""What many pages share: a form page's status, and a button's one service call."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render


def form_page(request, template: str, context: dict, form) -> object:
    """The form's page: 400 when a sent form came back with errors, so scripts and tests see it."""
    return render(request, template, context, status=400 if form.is_bound else 200)


def run_step(request, step, done: str = "") -> None:
    """Run the one service call of a button; its refusal, or ``done``, becomes the page's message."""
    try:
        step()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done:
            messages.success(request, done)
