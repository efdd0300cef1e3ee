"""The letters app's getter: a letter through the kernel (core/access.py); refusals logged."""

from __future__ import annotations

from xinqiao.core.access import get_or_refuse
from xinqiao.letters.models import Letter


def get_letter_or_refuse(request, pk: int, perm: str = "letters.view_letter") -> Letter:
    return get_or_refuse(request, Letter.objects.select_related("school", "writer"), pk, perm)
