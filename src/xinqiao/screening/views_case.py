"""Scales inside case work (seed 003 效果评估: 问卷调查; issue 15 item 7).

A counselor of the case (or the director) gives one scale to the case's student: answered on
the counselor's screen now (the questionnaire page opens for that counselor: access.py), or
sent to the student's account. The result shows in the case page's scale section and can be
used in the case's effect evaluation (``case_section`` and ``evaluation_initial``, registered
with the cases app in ``apps.py``: the cases app imports nothing of screening).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinqiao.cases.access import case_queryset, get_student_for_file, read_grounds, record_read
from xinqiao.core.access import get_or_refuse, record_refusal
from xinqiao.core.access_log import record_access
from xinqiao.people.models import Student
from xinqiao.screening import selectors
from xinqiao.screening.forms_follow_up import GiveScaleForm
from xinqiao.screening.library import current_library
from xinqiao.screening.models import Participation, Response
from xinqiao.screening.services import case_scale_give


def administrable_scales() -> list[tuple[str, str]]:
    """The scales that can be given, as "<id>@<version>" and their name."""
    library = current_library()
    return sorted(
        (
            (f"{definition.id}@{definition.version}", selectors.in_language(definition.name))
            for definition in library.definitions.values()
            if definition.administrable
        ),
        key=lambda choice: choice[1],
    )


@login_required
def give_scale(request, pk: int):
    case = get_or_refuse(request, case_queryset(), pk, "screening.give_scale")
    form = GiveScaleForm(request.POST or None, scales=administrable_scales())
    if request.method == "POST" and form.is_valid():
        try:
            participation = case_scale_give(
                actor=request.user,
                case=case,
                scale=form.cleaned_data["scale"],
                via=form.cleaned_data["via"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if participation.via == Participation.Via.COUNSELOR:
                return redirect("screening:take", pk=participation.pk)
            messages.success(request, _("The questionnaire is sent to the student's account."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "screening/give_scale.html",
        {"case": case, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- what the case page shows (registered in apps.py) --------------------------------------------
def _result_rows(user, student_id: int, *, case_pk: int | None = None, limit: int = 20) -> list:
    """The student's latest scored results with their scale's name and band, as the case page
    and the student file list them."""
    return [
        {
            "response": response,
            "name": selectors.scale_name(response.scale_id, response.scale_version),
            "band": selectors.band_label(response.scale_id, response.scale_version, response.band),
            "in_case": case_pk is not None and response.participation.case_id == case_pk,
        }
        for response in selectors.student_results(user, student_id)[:limit]
    ]


def case_section(*, request, case) -> dict | None:
    """The case page's "scale results" section: a part that loads when the reader reaches it
    (``case_results``), for the counseling side only; the case page pays no query for it."""
    if not request.user.has_perm("screening.view_results", case):
        return None
    return {"case": case}


@login_required
def case_results(request, pk: int):
    """The case's student's scale results (campaigns and cases), the scales given in this case
    and not answered yet, and a link to use a result in the effect evaluation."""
    case = get_or_refuse(request, case_queryset(), pk, "cases.view_case_screening")
    user = request.user
    if not user.has_perm("screening.view_results", case):
        raise PermissionDenied("refused: screening.view_results")
    # The basis as the case pages give it (an access grant's reads carry its id).
    basis, grant_id = read_grounds(user, case, "counseling staff of the case")
    record_access(
        actor=user, action="read", obj=case, basis=basis, grant_id=grant_id, request=request
    )
    results = _result_rows(user, case.student_id, case_pk=case.pk)
    section = {
        "case": case,
        "loaded": True,
        "results": results,
        "pending": [
            {
                "participation": pending,
                "name": selectors.scale_name(*pending.scale_keys[0]),
            }
            for pending in selectors.case_pending(user, case.pk)
        ],
        "may_give": user.has_perm("screening.give_scale", case) and case.is_open,
        "may_evaluate": user.has_perm("cases.write_records", case)
        and case.state in case.WORKING_STATES,
    }
    if request.htmx:
        return render(request, "screening/case_section.html", {"section": section})
    return render(request, "screening/case_results_page.html", {"section": section, "case": case})


def evaluation_initial(*, request, case) -> dict:
    """``?screening_result=<response>``: the evaluation form starts with that result's scale
    and total, when it is a result of the case's student the reader may see."""
    from xinqiao.core.params import query_id

    response_id = query_id(request, "screening_result")
    if response_id is None or not request.user.has_perm("screening.view_results", case):
        return {}
    response = (
        Response.objects.for_user(request.user)
        .filter(
            pk=response_id,
            participation__student_id=case.student_id,
            scored_at__isnull=False,
            total__isnull=False,
        )
        .first()
    )
    if response is None:
        return {}
    name = selectors.scale_name(response.scale_id, response.scale_version)
    return {
        "questionnaire": name[:100],
        "questionnaire_score": Decimal(response.total).quantize(Decimal("0.01")),
    }


@login_required
def student_file_results(request, pk: int):
    """The student file's scale results (一人一档, issue 15 item 7): every campaign's and every
    case's result of the student, for the counseling side reading the file. Loaded when the
    reader reaches it (htmx), and its own line in the access log."""
    student = get_student_for_file(request, pk, "cases.view_student_file")
    if not request.user.has_perm("screening.view_results", student):
        record_refusal(request, Student, pk, "screening.view_results", school_id=student.school_id)
        raise PermissionDenied("refused: screening.view_results")
    basis, grant_id = read_grounds(request.user, student, "counselor of a case of the student")
    record_read(request, student, basis=basis, grant_id=grant_id)
    template = "screening/file_section.html" if request.htmx else "screening/file_results_page.html"
    return render(
        request,
        template,
        {"student": student, "results": _result_rows(request.user, student.pk, limit=50)},
    )
