"""Answering a questionnaire: each signed-in person's own list, the public class-code page,
and the questionnaire, its saves, its submit and its thank-you page for the respondent only
(the counseling side, the class teacher and the guardian see the participation, never take it)."""

from tests.access import ALL_ROLES, Route

RESPONDENT = frozenset({"student"})
# What a plain form would send: every PHQ-9 question answered "not at all".
ALL_ANSWERED = {f"phq9:q{i}": "0" for i in range(1, 10)}


def _students_participation(cast, *, submitted: bool = False) -> int:
    """The cast's student in an open campaign, built once per route for every role."""
    cache = cast.__dict__.setdefault("_sweep_cases", {})
    key = ("screening_participation", submitted)
    if key not in cache:
        from django.test import override_settings

        from tests.screening.factories import open_campaign, participation_of, phq9_answers
        from xinqiao.screening.library import DEMO_WORDINGS_DIR
        from xinqiao.screening.services import participation_submit

        with override_settings(SCREENING_EXTRA_SCALE_DIRS=[DEMO_WORDINGS_DIR]):
            participation = participation_of(open_campaign(cast), cast.student_record)
            if submitted:
                participation_submit(
                    actor=cast.student,
                    participation=participation,
                    answers={"phq9": phq9_answers(0, 0, 0, 0, 0, 0, 0, 0, 0)},
                )
        cache[key] = participation.pk
    return cache[key]


def _submitted(cast) -> int:
    return _students_participation(cast, submitted=True)


ROUTES = [
    # Everyone signed in has a list of their own (most are empty).
    Route("screening:my_questionnaires", ALL_ROLES),
    Route("screening:class_code", ALL_ROLES, public=True),
    Route("screening:take", RESPONDENT, kwargs={"pk": _students_participation}),
    # The sweep posts a form, not the page's JSON: the respondent reaches the view and is
    # told the save names no scale; everyone else is refused before it.
    Route(
        "screening:save",
        RESPONDENT,
        kwargs={"pk": _students_participation},
        method="post",
        ok=(400,),
    ),
    # The plain form (the page without its script) submits and is sent to the done page.
    Route(
        "screening:submit",
        RESPONDENT,
        kwargs={"pk": _students_participation},
        method="post",
        data=ALL_ANSWERED,
        ok=(302,),
    ),
    Route("screening:done", RESPONDENT, kwargs={"pk": _submitted}),
]
