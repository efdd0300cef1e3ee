"""What the screening API takes and answers (django-ninja schemas).

Who reads what follows screening/rules.py: completion (counts per class) for those allowed it,
a respondent's own questionnaire and answers, scores for the counseling side only, and for a
class teacher's follow-up list the names alone.
"""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from xinqiao.screening.models import Campaign


class CampaignOut(Schema):
    id: int
    school_id: int
    title: str
    purpose: str
    audience: str
    state: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    scales: list[str]


class ClassCompletionOut(Schema):
    class_id: int | None = Field(None, description="None: the teachers of a teachers' campaign.")
    name: str
    invited: int
    submitted: int
    opted_out: int


class CampaignDetailOut(CampaignOut):
    completion: list[ClassCompletionOut] | None = Field(
        None, description="Per class, counts only; absent for those not allowed completion."
    )

    @staticmethod
    def resolve_completion(campaign: Campaign) -> list | None:
        return getattr(campaign, "completion_rows", None)


class QuestionnaireOut(Schema):
    """One of the caller's own questionnaires: a campaign's or a scale given during a case."""

    id: int
    state: str
    campaign_id: int | None
    title: str
    closes_at: datetime.datetime | None
    submitted_at: datetime.datetime | None


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    id: str
    text: str
    options: list[OptionOut] | None = Field(None, description="None: the scale's options.")


class QuestionnaireScaleOut(Schema):
    id: str
    version: str
    name: str
    instructions: str
    options: list[OptionOut]
    items: list[ItemOut]
    answers: dict[str, int] = Field(..., description="The caller's answers saved so far.")
    seq: int = Field(..., description="The last save's number: the next save sends a higher one.")


class QuestionnaireDetailOut(QuestionnaireOut):
    supportive_message: str
    scales: list[QuestionnaireScaleOut]


class AnswersIn(Schema):
    scale: str = Field(..., max_length=40)
    answers: dict[str, int | None] = Field(..., description="Item id -> the chosen value.")
    seq: int = Field(..., ge=0, le=2**31 - 1, description="Grows with each save of the browser.")


class SavedOut(Schema):
    ok: bool
    seq: int


class SubmitIn(Schema):
    answers: dict[str, dict[str, int | None]] = Field(
        default_factory=dict, description="Scale id -> the last answers (optional)."
    )


class OwnScoreOut(Schema):
    scale: str
    total: float | None
    band: str


class SubmittedOut(Schema):
    id: int
    state: str
    submitted_at: datetime.datetime | None
    supportive_message: str
    scores: list[OwnScoreOut] | None = Field(
        None, description="Only when the campaign lets respondents see their own scores."
    )


class ScoreOut(Schema):
    scale: str
    version: str
    valid: bool | None
    total: float | None
    band: str
    follow_up: bool
    critical_level: str


class ResultOut(Schema):
    """One participant's scores: the counseling side only."""

    participation_id: int
    student_id: int | None
    student_number: str
    name: str
    class_name: str
    state: str
    scores: list[ScoreOut]


class ResultFilter(Schema):
    campaign: int | None = Field(
        None, ge=1, le=2**63 - 1, description="The campaign's id (required)."
    )


class FollowUpOut(Schema):
    """Whom to interview; the counseling side also reads why and what came of it, a class
    teacher the name and the class alone."""

    id: int
    name: str
    class_name: str
    campaign_id: int | None
    conclusion: str | None = None
    assigned_to: str | None = None
    interviewed_on: datetime.date | None = None
    scores: list[ScoreOut] | None = None
