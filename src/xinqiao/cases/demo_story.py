"""The demo's cases as data: their texts (loaded once from demo_data.json, beside this module),
the list of cases to build (``SPECS``) and the dates of one case (``Timeline``).

demo_data.json holds what the counselors write, per kind of case (``scripts``: problems,
background, plan, session records, summaries), the outside services and referrals, guardians'
feedback, and the few other sentences the builder writes (``texts``).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinqiao.cases.models import Case, ProblemCategory, Severity

T = datetime.time
PLACES = ("心理咨询室", "心理咨询室", "心理咨询室", "关爱室")
SESSION_TIMES = (T(12, 30), T(13, 15), T(16, 30), T(17, 0))
CONFERENCE_PLACE = "心理中心会议室"
MAX_SESSIONS = 10  # records of one demo case at most
C, D, TEACHER, AFFAIRS = "counselor", "director", "class_teacher", "student_affairs"
SESSION_FIELDS = ("problem", "measures_taken", "effect", "next_step")


# --- what the counselors write -------------------------------------------------------------------
@dataclass(frozen=True)
class Script:
    """The text of one kind of case, from the intake to the closing summary."""

    problems: tuple[str, ...]
    background: str
    measures_needed: str
    goals: str
    # (kind, what is done, who: C / D / TEACHER / AFFAIRS or a name without an account)
    measures: tuple[tuple[str, str, str], ...]
    # (problem, measures taken, effect, next step), in the order sessions go
    sessions: tuple[tuple[str, str, str, str], ...]
    summary: str
    closing: str
    brief: str = ""

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Script:
        return cls(
            **{
                **data,
                "problems": tuple(data["problems"]),
                "measures": tuple(
                    (m["kind"], m["description"], m["who"]) for m in data["measures"]
                ),
                "sessions": tuple(session(s) for s in data["sessions"]),
            }
        )


def session(data: dict[str, str]) -> tuple[str, str, str, str]:
    """A session record's four texts, in the order of ``SESSION_FIELDS``."""
    problem, measures, effect, next_step = (data[name] for name in SESSION_FIELDS)
    return problem, measures, effect, next_step


DATA = json.loads(Path(__file__).with_name("demo_data.json").read_text(encoding="utf-8"))
SCRIPTS: dict[str, Script] = {key: Script.from_data(s) for key, s in DATA["scripts"].items()}
CATEGORY_CODES = [code for code, _label in ProblemCategory.DEFAULTS]
# The outside services of the school's directory (made up; the telephone numbers have 0000).
OUTSIDE_SERVICES: tuple[dict[str, str], ...] = tuple(DATA["outside_services"])
# Referral target: (service's name, reason, outcome once it is back).
REFERRALS = {key: (r["service"], r["reason"], r["outcome"]) for key, r in DATA["referrals"].items()}
FEEDBACK: tuple[str, ...] = tuple(DATA["feedback"])
BROUGHT_BY: dict[str, str] = DATA["brought_by"]
TEXTS: dict[str, Any] = DATA["texts"]


# --- the cases to build -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """One demo case: where it ends, how serious, what about, how it came in."""

    state: str
    severity: str = Severity.GENERAL
    categories: tuple[str, ...] = ("learning",)
    channel: str = Case.Channel.WALK_IN
    lead: str = C
    other: str | None = None
    plan_versions: int = 1
    overdue_review: bool = False
    # Where the case is referred ("", "internal", or a service: "hospital", "clinic",
    # "community") and what became of it: "done" (outcome recorded), "late" (still awaited
    # after the follow-up date), "waiting" (awaited, not due yet).
    referral: str = ""
    follow_up: str = "done"
    # assessing only: "draft" (a plan waits for approval), "conference" (a conference is coming)
    waiting: str = "draft"
    from_class_teacher: bool = False
    records: int | None = None  # the benchmark's student: exactly this many


A, CL, CG, AC, AS, IN = "archived", "closed", "closing", "active", "assessing", "intake"
BRIEF = "brief"
G, S, X = Severity.GENERAL, Severity.SERIOUS, Severity.CRISIS
CH = Case.Channel

SPECS: tuple[Spec, ...] = (
    # archived: the previous semester's cases, in its file catalogue
    Spec(A, G, ("learning",), CH.APPOINTMENT),
    Spec(A, G, ("relationships",), CH.WALK_IN),
    Spec(A, G, ("adaptation",), CH.TEACHER_REFERRAL),
    Spec(A, G, ("emotion",), CH.APPOINTMENT, lead=D),
    Spec(A, S, ("family", "emotion"), CH.GUARDIAN, referral="internal"),
    Spec(A, G, ("behaviour",), CH.TEACHER_REFERRAL),
    Spec(A, G, ("learning",), CH.SCREENING),
    Spec(A, S, ("life",), CH.NETWORK_REPORT, lead=D, other=C, referral="community"),
    Spec(A, G, ("relationships",), CH.LETTER),
    Spec(A, G, ("emotion",), CH.WALK_IN),
    Spec(A, G, ("adaptation",), CH.APPOINTMENT),
    Spec(A, G, ("learning",), CH.DUTY_PHONE, lead=D),
    # closed this semester, to be archived at its end
    Spec(CL, G, ("learning",), CH.APPOINTMENT),
    Spec(CL, G, ("adaptation",), CH.WALK_IN),
    Spec(CL, G, ("relationships",), CH.TEACHER_REFERRAL),
    Spec(CL, X, ("self_harm", "emotion"), CH.NETWORK_REPORT, lead=D, other=C, referral="hospital"),
    Spec(CL, G, ("emotion",), CH.LETTER, lead=D),
    Spec(CL, S, ("behaviour", "family"), CH.TEACHER_REFERRAL, other=D),
    Spec(CL, G, ("learning",), CH.SCREENING),
    Spec(CL, G, ("family",), CH.GUARDIAN),
    # closing: the counselor asked to close, the director has still to confirm
    Spec(CG, G, ("learning",), CH.APPOINTMENT),
    Spec(CG, G, ("emotion",), CH.WALK_IN),
    Spec(CG, S, ("family", "relationships"), CH.GUARDIAN, other=D),
    Spec(CG, G, ("adaptation",), CH.LETTER),
    # active
    Spec(
        AC,
        X,
        ("self_harm", "emotion"),
        CH.TEACHER_REFERRAL,
        other=D,
        referral="hospital",
        follow_up="late",
    ),
    Spec(AC, X, ("self_harm",), CH.SCREENING, lead=D, other=C, referral="hospital"),
    Spec(AC, S, ("family", "emotion"), CH.TEACHER_REFERRAL, from_class_teacher=True),
    Spec(
        AC,
        S,
        ("life",),
        CH.GUARDIAN,
        other=D,
        referral="community",
        follow_up="late",
        plan_versions=2,
    ),
    Spec(AC, S, ("behaviour",), CH.TEACHER_REFERRAL, overdue_review=True),
    Spec(AC, S, ("emotion", "relationships"), CH.WALK_IN, referral="internal"),
    Spec(AC, S, ("adaptation", "learning"), CH.NETWORK_REPORT, lead=D, plan_versions=2),
    Spec(AC, G, ("learning",), CH.TEACHER_REFERRAL, from_class_teacher=True),
    Spec(AC, G, ("emotion",), CH.APPOINTMENT, overdue_review=True),
    Spec(AC, G, ("relationships",), CH.WALK_IN, plan_versions=2),
    Spec(AC, G, ("adaptation",), CH.LETTER),
    Spec(AC, G, ("learning",), CH.SCREENING, overdue_review=True),
    Spec(AC, G, ("family",), CH.GUARDIAN, lead=D, referral="clinic", follow_up="waiting"),
    Spec(AC, G, ("behaviour",), CH.DUTY_PHONE, plan_versions=2),
    Spec(AC, G, ("emotion",), CH.APPOINTMENT),
    Spec(AC, G, ("learning",), CH.WALK_IN),
    Spec(AC, G, ("relationships",), CH.NETWORK_REPORT),
    Spec(AC, G, ("life",), CH.TEACHER_REFERRAL, lead=D),
    # assessing: a draft plan waits for approval, or a case conference is coming
    Spec(AS, G, ("learning",), CH.APPOINTMENT, waiting="draft"),
    Spec(AS, G, ("emotion",), CH.WALK_IN, waiting="draft"),
    Spec(AS, G, ("adaptation",), CH.LETTER, lead=D, waiting="draft"),
    Spec(AS, S, ("family", "emotion"), CH.GUARDIAN, waiting="conference"),
    Spec(AS, S, ("behaviour", "relationships"), CH.TEACHER_REFERRAL, waiting="conference"),
    Spec(AS, S, ("life", "family"), CH.NETWORK_REPORT, other=D, waiting="draft"),
    # intake: the last days' intakes; those the duty teacher took wait for a counselor
    Spec(IN, G, ("learning",), CH.DUTY_PHONE),
    Spec(IN, G, ("emotion",), CH.GUARDIAN),
    Spec(IN, G, ("relationships",), CH.TEACHER_REFERRAL),
    Spec(IN, G, ("family",), CH.APPOINTMENT),
    Spec(IN, G, ("adaptation",), CH.SCREENING),
    # brief contacts, answered at once
    Spec(BRIEF, G, ("learning",), CH.WALK_IN),
    Spec(BRIEF, G, ("family",), CH.DUTY_PHONE),
    Spec(BRIEF, G, ("emotion",), CH.WALK_IN),
    Spec(BRIEF, G, ("relationships",), CH.APPOINTMENT),
    Spec(BRIEF, G, ("adaptation",), CH.WALK_IN),
    Spec(BRIEF, G, ("life",), CH.LETTER),
)
# ... and one more intake: the urgent visit of today's alert (rooms demo), see ``urgent_intake``.


@dataclass
class Timeline:
    """When each step of one case happens (dates; times are added when they are written)."""

    opened: datetime.date
    assessed: datetime.date | None = None
    conference: datetime.date | None = None
    approved: datetime.date | None = None
    end: datetime.date | None = None  # the last working day: closure requested
    confirmed: datetime.date | None = None
    archived: datetime.date | None = None
    reviews: list[datetime.date] = field(default_factory=list)
