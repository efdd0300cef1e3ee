"""The statistics page of the counseling side (issue 6 item 12): counts only.

Leadership and counseling staff of a school see the same figures, except that the small cells
of the breakdowns are suppressed for leadership (``selectors.case_statistics_for_reader``); the
lists of overdue cases by number appear only for those who read cases, limited to the cases
each of them may open.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from xinqiao.cases import selectors_stats as selectors
from xinqiao.core.decorators import permission_required
from xinqiao.core.params import parse_id


def _pick(items: list, wanted: str | None):
    """The item whose pk the query string names, if it is one of ``items``."""
    pk = parse_id(wanted)
    return next((item for item in items if item.pk == pk), None)


def _chart(figures: list[selectors.Figure]) -> dict:
    # A suppressed figure's count is None already: null in the data, no bar in the chart.
    return {"labels": [f.label for f in figures], "counts": [f.count for f in figures]}


@permission_required("cases.view_statistics")
def statistics(request):
    schools = list(selectors.statistics_schools(request.user))
    if not schools:  # the role is held, but at no school (cannot happen with today's roles)
        raise PermissionDenied
    school = _pick(schools, request.GET.get("school")) or schools[0]
    semesters = list(school.semesters.order_by("-starts_on"))
    semester = _pick(semesters, request.GET.get("semester")) or selectors.default_semester(
        school, semesters
    )
    context = {"schools": schools, "school": school, "semesters": semesters, "semester": semester}
    if semester is not None:
        stats = selectors.case_statistics_for_reader(request.user, school=school, semester=semester)
        reviews, follow_ups = selectors.overdue_cases_for_reader(request.user, school, stats.today)
        context.update(
            stats=stats,
            service=selectors.service_figures(school.pk, semester),
            may_list=selectors.may_list_cases(request.user, school),
            suppress_below=selectors.SUPPRESS_BELOW,
            counselor_chart_rem=max(10, 3 * len(stats.per_counselor) + 4),
            overdue_review_list=reviews,
            overdue_follow_up_list=follow_ups,
            charts={
                "category": _chart(stats.by_category),
                "grade": _chart(stats.by_grade),
                "channel": _chart(stats.by_channel),
                "month": _chart(stats.by_month),
                "counselor": {
                    "labels": [p.name for p in stats.per_counselor],
                    "counts": [p.open_cases for p in stats.per_counselor],
                },
            },
        )
    return render(request, "cases/stats_page.html", context)
