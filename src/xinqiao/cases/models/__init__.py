"""Case work and the care room (seed 003), the one-person-one-file archive (seed 001).

A case follows one student from intake to the archive:
intake → assessing → active → closing → closed → archived (DESIGN.md). Everything a counselor
writes about the student sits in encrypted fields; who may read it is decided by
``Case.visibility_q`` and the predicates of ``cases/rules.py`` alone.
"""

from xinqiao.cases.models.case import (
    Case,
    CaseCounselor,
    CaseQuerySet,
    ProblemCategory,
    Severity,
    counseling_pairs,
    open_case_counselor_ids,
)
from xinqiao.cases.models.grant import ALL_PARTS, AccessGrant, CasePart
from xinqiao.cases.models.outside import (
    RETENTION_YEARS,
    Consent,
    OutsideService,
    Referral,
    TypicalCase,
    retention_until,
)
from xinqiao.cases.models.work import (
    RATING_RANGE,
    Assessment,
    Conference,
    ConferenceParticipant,
    Evaluation,
    MeasureActivity,
    PlanMeasure,
    SessionRecord,
    StageSummary,
    SupportPlan,
)

__all__ = [
    "ALL_PARTS",
    "RATING_RANGE",
    "RETENTION_YEARS",
    "AccessGrant",
    "Assessment",
    "Case",
    "CaseCounselor",
    "CasePart",
    "CaseQuerySet",
    "Conference",
    "ConferenceParticipant",
    "Consent",
    "Evaluation",
    "MeasureActivity",
    "OutsideService",
    "PlanMeasure",
    "ProblemCategory",
    "Referral",
    "SessionRecord",
    "Severity",
    "StageSummary",
    "SupportPlan",
    "TypicalCase",
    "counseling_pairs",
    "open_case_counselor_ids",
    "retention_until",
]
