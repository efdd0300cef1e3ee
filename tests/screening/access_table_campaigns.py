"""Campaign pages: the director runs them; staff who follow a campaign see completion only
(class teachers: campaigns of their class); guardians and respondents read the notice and a
guardian opts their child out. Another school's staff are refused every object of this one."""

from tests.access import Route

DIRECTOR = frozenset({"director"})
FOLLOWERS = frozenset(
    {"director", "counselor", "class_teacher", "grade_leader", "principal", "vice_principal"}
)
# The cast's grade leader leads no grade: no campaign reaches them.
FOLLOWERS_OF_THE_CLASS = FOLLOWERS - {"grade_leader"}
COUNSELING = frozenset({"director", "counselor"})
CODES = frozenset({"director", "counselor", "class_teacher"})
NOTICE = FOLLOWERS_OF_THE_CLASS | {"student", "guardian"}
OPT_OUT = frozenset({"director", "guardian"})


def _campaign(cast, title: str, announce: bool) -> int:
    from django.test import override_settings

    from tests.screening.factories import open_campaign
    from xinqiao.screening.library import DEMO_WORDINGS_DIR
    from xinqiao.screening.models import Campaign

    found = Campaign.objects.filter(school=cast.school, title=title).first()
    if found is not None:
        return found.pk
    with override_settings(SCREENING_EXTRA_SCALE_DIRS=[DEMO_WORDINGS_DIR]):
        return open_campaign(cast, title=title, announce=announce).pk


def draft(cast) -> int:
    return _campaign(cast, "sweep-draft", announce=False)


def announced(cast) -> int:
    return _campaign(cast, "sweep-announced", announce=True)


def participation(cast) -> int:
    from xinqiao.screening.models import Participation

    return Participation.objects.get(campaign_id=announced(cast), student=cast.student_record).pk


ROUTES = [
    Route("screening:campaign_list", FOLLOWERS),
    Route("screening:campaign_create", DIRECTOR),
    Route("screening:campaign_detail", FOLLOWERS_OF_THE_CLASS, kwargs={"pk": announced}),
    Route("screening:campaign_detail", COUNSELING, kwargs={"pk": draft}),
    Route("screening:campaign_edit", DIRECTOR, kwargs={"pk": draft}),
    Route(
        "screening:announce",
        DIRECTOR,
        kwargs={"pk": draft},
        method="post",
        data={"confirm": "yes"},
        ok=(302,),
    ),
    Route("screening:close", DIRECTOR, kwargs={"pk": announced}, method="post", ok=(302,)),
    Route("screening:cancel", DIRECTOR, kwargs={"pk": draft}, method="post", ok=(302,)),
    Route("screening:completion", FOLLOWERS_OF_THE_CLASS, kwargs={"pk": announced}),
    Route("screening:class_codes", CODES, kwargs={"pk": announced}),
    Route("screening:opt_outs", DIRECTOR, kwargs={"pk": announced}),
    Route("screening:child_notices", frozenset({"guardian"})),
    Route("screening:notice", NOTICE, kwargs={"pk": announced}),
    Route("screening:notice", DIRECTOR, kwargs={"pk": draft}),
    Route("screening:opt_out", OPT_OUT, kwargs={"pk": participation}, method="post", ok=(302,)),
    Route("screening:opt_in", OPT_OUT, kwargs={"pk": participation}, method="post", ok=(302,)),
]
