"""Every letterbox URL and API call: only the counseling side of the school opens a letter;
the writer of a named letter opens their own; the pickup page is open to anyone."""

from tests.access import ALL_ROLES, SECOND_COUNSELOR, Route

COUNSELING = frozenset({"director", "counselor"})
PUPILS = frozenset({"student", "committee_member", "dorm_liaison"})


def anonymous_letter(cast) -> int:
    from tests.letters.factories import send_letter

    return send_letter(
        cast.student, body="我最近很难过，不知道该和谁说。", anonymous=True, key="sweep-anon"
    ).letter.pk


def named_letter(cast) -> int:
    from tests.letters.factories import send_letter

    return send_letter(cast.student, body="我和同桌吵架了。", key="sweep-named").letter.pk


def flagged_letter(cast) -> int:
    from tests.letters.factories import send_letter

    return send_letter(
        cast.student, body="我不想活了", anonymous=True, key="sweep-flagged"
    ).letter.pk


def flag_of_flagged_letter(cast) -> int:
    from xinqiao.crisis.phrases import flags_of
    from xinqiao.letters.models import Letter

    return flags_of(Letter.objects.get(pk=flagged_letter(cast))).get().pk


ROUTES = [
    Route("letters:write", PUPILS),
    Route("letters:mine", PUPILS),
    Route("letters:pickup", ALL_ROLES, public=True),
    Route("letters:letterbox", COUNSELING),
    Route(
        "letters:detail",
        COUNSELING,
        kwargs={"pk": anonymous_letter},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "letters:detail",
        COUNSELING | {"student"},
        kwargs={"pk": named_letter},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "letters:reply",
        COUNSELING,
        kwargs={"pk": anonymous_letter},
        method="post",
        data={"body": "谢谢你的来信，欢迎来咨询室聊聊。"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "letters:reply",
        COUNSELING,
        kwargs={"pk": named_letter},
        method="post",
        data={"body": "谢谢你的来信。"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "letters:flag_dismiss",
        COUNSELING,
        kwargs={"pk": flagged_letter, "flag_pk": flag_of_flagged_letter},
        method="post",
        data={"reason": "引用的歌词"},
        ok=(302,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route("crisis:phrases", frozenset({"director"})),
    Route(
        "POST /api/letters",
        PUPILS,
        data={
            "body": "想和老师聊聊学习压力。",
            "anonymous": "true",
            "submission_key": "sweep-api-letter-0001",
        },
        ok=(201,),
    ),
    Route("GET /api/letters", COUNSELING),
    Route(
        "GET /api/letters/{letter_id}",
        COUNSELING,
        kwargs={"letter_id": anonymous_letter},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "GET /api/letters/{letter_id}",
        COUNSELING | {"student"},
        kwargs={"letter_id": named_letter},
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
    Route(
        "POST /api/letters/{letter_id}/replies",
        COUNSELING,
        kwargs={"letter_id": anonymous_letter},
        method="post",
        data={"body": "谢谢你的来信。"},
        ok=(201,),
        confidential=True,
        extras=SECOND_COUNSELOR,
    ),
]
