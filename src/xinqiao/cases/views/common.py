"""What the case pages share: a form page's status."""

from __future__ import annotations

from django.shortcuts import render


def form_page(request, template: str, context: dict, form) -> object:
    return render(request, template, context, status=400 if form.is_bound else 200)
