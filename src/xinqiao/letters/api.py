"""The letterbox API: a pupil sends a letter; the counseling side lists, reads and answers.

The same rules as the pages (letters/rules.py), rows through the kernel (letters/access.py),
state changes through the same services; reads of a letter by staff are recorded.
"""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinqiao.core.access import record_read, require
from xinqiao.core.api import JsonOrForm
from xinqiao.letters import selectors, services
from xinqiao.letters.access import get_letter_or_refuse
from xinqiao.letters.models import Letter

router = Router(tags=["letters"])


class LetterIn(Schema):
    body: str = Field(..., max_length=services.MAX_LETTER_LENGTH)
    anonymous: bool = False
    # The client's one-time key: the same letter sent twice (a retry) is stored once and, for
    # an anonymous letter, answered with the same pickup code.
    submission_key: str = Field(..., min_length=16, max_length=64)


class LetterSentOut(Schema):
    id: int
    anonymous: bool
    pickup_code: str | None = Field(None, description="Anonymous letters: shown this once only.")


class LetterOut(Schema):
    id: int
    sent_on: datetime.date
    anonymous: bool
    writer_name: str | None
    flag_level: str
    answered_at: datetime.datetime | None

    @staticmethod
    def resolve_anonymous(letter: Letter) -> bool:
        return letter.is_anonymous

    @staticmethod
    def resolve_writer_name(letter: Letter) -> str | None:
        return letter.writer.display_name if letter.writer_id else None


class ReplyOut(Schema):
    id: int
    body: str
    sent_at: datetime.datetime


class LetterDetailOut(LetterOut):
    body: str
    replies: list[ReplyOut]

    @staticmethod
    def resolve_replies(letter: Letter) -> list:
        return list(letter.replies.all())


class ReplyIn(Schema):
    body: str = Field(..., max_length=services.MAX_LETTER_LENGTH)


class LetterFilter(Schema):
    shown: str = "unanswered"


def _error(error: ValidationError) -> HttpError:
    return HttpError(400, " ".join(error.messages))


@router.post("", response={201: LetterSentOut}, summary="Send a letter (named or anonymous)")
def letter_send(request, payload: Annotated[LetterIn, JsonOrForm(...)]):
    user = request.auth
    require(user, "letters.send_letter")
    school = selectors.writer_school(user)
    try:
        sent = services.letter_send(
            writer=user,
            school=school,
            body=payload.body,
            anonymous=payload.anonymous,
            submission_key=payload.submission_key,
        )
    except ValidationError as error:
        raise _error(error) from None
    return Status(
        201,
        {
            "id": sent.letter.pk,
            "anonymous": sent.letter.is_anonymous,
            "pickup_code": sent.pickup_code,
        },
    )


@router.get("", response=list[LetterOut], summary="The letterbox (counseling staff)")
@paginate
def letter_list(request, filters: Query[LetterFilter]):
    require(request.auth, "letters.view_letterbox")
    shown = filters.shown if filters.shown in selectors.FILTERS else "unanswered"
    return selectors.letterbox(request.auth, shown)


@router.get("/{letter_id}", response=LetterDetailOut, summary="A letter and its replies")
def letter_detail(request, letter_id: int):
    letter = get_letter_or_refuse(request, letter_id)
    if request.auth.has_perm("letters.reply_letter", letter):
        record_read(request, letter, basis="counseling staff of the school")
    return letter


@router.post("/{letter_id}/replies", response={201: ReplyOut}, summary="Answer a letter")
def letter_reply(request, letter_id: int, payload: Annotated[ReplyIn, JsonOrForm(...)]):
    letter = get_letter_or_refuse(request, letter_id, "letters.reply_letter")
    try:
        reply = services.letter_reply(actor=request.auth, letter=letter, body=payload.body)
    except ValidationError as error:
        raise _error(error) from None
    return Status(201, reply)
