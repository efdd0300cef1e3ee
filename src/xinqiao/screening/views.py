"""The scale library page: every scale the deployment holds, its state and its licence."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language

from xinqiao.core.decorators import permission_required
from xinqiao.screening.definitions import PRIMARY_LANGUAGE, ScaleDefinition
from xinqiao.screening.library import BUILT_IN_DIR, load_library

STATES = ("ready", "scoring_only")


def _in_language(text: dict[str, str]) -> str:
    english = (get_language() or "").startswith("en")
    return text.get("en") if english and "en" in text else text.get(PRIMARY_LANGUAGE, "")


def _row(definition: ScaleDefinition, path) -> dict:
    return {
        "definition": definition,
        "name": _in_language(definition.name),
        "state": "ready" if definition.administrable else "scoring_only",
        "wordings": [
            {"language": language, "source": source.source, "validated": source.validated}
            for language, source in definition.wording_sources.items()
        ],
        "built_in": path.parent == BUILT_IN_DIR,
    }


@permission_required("screening.view_scales")
def scale_list(request):
    library, errors = load_library()
    state = request.GET.get("state")
    rows = [
        _row(definition, library.files[key])
        for key, definition in sorted(library.definitions.items())
    ]
    if state in STATES:
        rows = [row for row in rows if row["state"] == state]
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/scale_list.html",
        {"page": page, "errors": errors, "state": state if state in STATES else ""},
    )
