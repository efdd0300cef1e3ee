"""Results and follow-up interviews, and scales given during a case (see
tests/test_access_sweep.py): only the counseling side of the school reads a result or an
interview; a class teacher opens the list (whom to send, never why); the director assigns; a
scale is given by the case's counselors or the director."""

from tests.access import SECOND_COUNSELOR, Route

COUNSELING = frozenset({"director", "counselor"})
NOBODY_ELSE = frozenset()


def follow_up(cast) -> int:
    from tests.screening.factories import swept_follow_up

    return swept_follow_up(cast).pk


def participation(cast) -> int:
    from tests.screening.factories import swept_follow_up

    return swept_follow_up(cast).participation_id


def case(cast) -> int:
    cache = cast.__dict__.setdefault("_sweep_cases", {})
    if "screening_case" not in cache:
        from tests.cases.factories import case_at

        cache["screening_case"] = case_at(cast, "active").pk
    return cache["screening_case"]


def file_student(cast) -> int:
    from tests.cases.access_table_file import sweep_student

    return sweep_student(cast)


ROUTES = [
    Route("screening:follow_up_list", COUNSELING | {"class_teacher"}),
    Route(
        "screening:follow_up_detail",
        COUNSELING,
        kwargs={"pk": follow_up},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    # An interview without its day or conclusion: refused with the form (400), nothing saved.
    Route(
        "screening:follow_up_detail",
        COUNSELING,
        kwargs={"pk": follow_up},
        method="post",
        data={"notes": "约谈记录"},
        ok=(400,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    # The director only. Not marked confidential for the sweep: a counselor of the school
    # (the second counselor too) sees the follow-up and is refused with 403, not "not found";
    # the refusal is written to the access log all the same (FollowUp is confidential).
    Route(
        "screening:assign", frozenset({"director"}), kwargs={"pk": follow_up}, extras=NOBODY_ELSE
    ),
    Route(
        "screening:assign",
        frozenset({"director"}),
        kwargs={"pk": follow_up},
        method="post",
        data={"interviewer": ""},
        ok=(400,),
        extras=NOBODY_ELSE,
    ),
    Route(
        "screening:result_detail",
        COUNSELING,
        kwargs={"pk": participation},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "screening:give_scale",
        COUNSELING,
        kwargs={"pk": case},
        confidential=True,
        extras=NOBODY_ELSE,
    ),
    Route(
        "screening:give_scale",
        COUNSELING,
        kwargs={"pk": case},
        method="post",
        data={"scale": "", "via": "counselor"},
        ok=(400,),
        confidential=True,
        extras=NOBODY_ELSE,
    ),
    Route(
        "screening:case_results",
        COUNSELING,
        kwargs={"pk": case},
        confidential=True,
        extras=NOBODY_ELSE,
    ),
    # The student file's scale results: who reads the file (the director, a counselor of a case
    # of the student), not another counselor of the school.
    Route(
        "screening:file_results",
        COUNSELING,
        kwargs={"pk": file_student},
        confidential=True,
        extras=NOBODY_ELSE,
    ),
]
