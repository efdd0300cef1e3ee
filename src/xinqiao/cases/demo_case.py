"""One demo case's life, from the intake to the archive: the half of the demo builder that
writes a case (``CaseLife``), mixed into ``demo._Builder``, which picks the students and plans
each case's dates.

Each step goes through the service a user's action calls, then the moment it happened is set
with a plain update, as the module docstring of cases/demo.py says.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from xinqiao.cases import (
    services_consent,
    services_intake,
    services_plans,
    services_records,
    services_referrals,
)
from xinqiao.cases.demo_story import (
    AFFAIRS,
    AS,
    BRIEF,
    BROUGHT_BY,
    CG,
    CH,
    CL,
    CONFERENCE_PLACE,
    FEEDBACK,
    IN,
    MAX_SESSIONS,
    PLACES,
    REFERRALS,
    SCRIPTS,
    SESSION_TIMES,
    TEACHER,
    TEXTS,
    A,
    C,
    D,
    G,
    Script,
    Spec,
    T,
    Timeline,
    X,
    session,
)
from xinqiao.cases.models import (
    Assessment,
    Case,
    CaseCounselor,
    Conference,
    Consent,
    Evaluation,
    MeasureActivity,
    OutsideService,
    PlanMeasure,
    ProblemCategory,
    Referral,
    SessionRecord,
    StageSummary,
    SupportPlan,
    retention_until,
)
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import GuardianLink, School, Semester, Student


class CaseLife:
    """The steps of one case; the builder provides the people, the random source and the dates."""

    rng: random.Random
    school: School
    previous: Semester | None
    accounts: dict[str, User]
    director: User
    counselor: User
    duty: User
    now: datetime.datetime
    today: datetime.date
    teachers: dict[int, User]
    category: dict[str, ProblemCategory]
    services: dict[str, OutsideService]

    # --- people and dates -------------------------------------------------------------------------
    def guardian_names(self, students: Sequence[Student]) -> dict[int, str]:
        names: dict[int, str] = {}
        links = GuardianLink.objects.filter(student__in=students).select_related("guardian")
        for link in links.order_by("-is_primary", "pk"):
            names.setdefault(link.student_id, link.guardian.name)
        return names

    def school_day(self, day: datetime.date, *, latest: datetime.date | None = None):
        """``day``, or the next day the school is open (the one before when that is too late)."""
        latest = latest or self.today
        forward = day
        while forward.weekday() >= 5 or forward in self.closed_days:
            forward += datetime.timedelta(days=1)
        if forward <= latest:
            return forward
        backward = min(day, latest)
        while backward.weekday() >= 5 or backward in self.closed_days:
            backward -= datetime.timedelta(days=1)
        return backward

    def at(self, day: datetime.date, time: datetime.time | None = None) -> datetime.datetime:
        moment = timezone.make_aware(
            datetime.datetime.combine(day, time or self.rng.choice(SESSION_TIMES))
        )
        return min(moment, self.now - datetime.timedelta(minutes=5))

    def plus(self, day: datetime.date, low: int, high: int, *, latest=None) -> datetime.date:
        return self.school_day(
            day + datetime.timedelta(days=self.rng.randint(low, high)), latest=latest
        )

    def user_for(self, who: str, student: Student) -> User | None:
        if who == C:
            return self.counselor
        if who == D:
            return self.director
        if who == TEACHER:
            # Roster accounts not issued yet cannot act in the system (no conference seat).
            teacher = self.teachers.get(student.school_class_id)
            return teacher if teacher is not None and teacher.is_active else None
        if who == AFFAIRS:
            return self.accounts.get(AFFAIRS)
        return None

    # --- one case --------------------------------------------------------------------------------
    def case(self, spec: Spec, student: Student, line: Timeline) -> Case:
        script = SCRIPTS[spec.categories[0]]
        case = self.open(spec, student, line, script)
        if spec.state == BRIEF:
            answer = script.brief or SCRIPTS["learning"].brief
            services_intake.case_answer_briefly(actor=self.counselor, case=case, answer=answer)
            closed = case.opened_at + datetime.timedelta(minutes=self.rng.randint(15, 40))
            Case.objects.filter(pk=case.pk).update(closed_at=min(closed, self.now))
            CaseCounselor.objects.filter(case=case).update(assigned_at=case.opened_at)
            return case
        if spec.state == IN:
            return case
        lead = self.user_for(spec.lead, student)
        others = [self.user_for(spec.other, student)] if spec.other else []
        services_intake.case_assess(
            actor=self.director if spec.severity != G or lead == self.director else lead,
            case=case,
            severity=spec.severity,
            categories=[self.category[code] for code in spec.categories],
            measures_needed=script.measures_needed,
            notes=script.background,
            lead=lead,
            others=others,
        )
        case.refresh_from_db()  # the service moved it on
        assessed = self.at(line.assessed, T(16, 45))
        Assessment.objects.filter(case=case).update(assessed_at=assessed)
        CaseCounselor.objects.filter(case=case).update(assigned_at=assessed)
        conference = self.conference(spec, case, student, lead, line)
        if spec.state == AS:
            if spec.waiting == "draft":
                day = line.conference or line.assessed
                self.plan(case, student, lead, day, script, conference, approve=False)
            return case
        plan = self.plan(case, student, lead, line.approved, script, conference)
        case.refresh_from_db()  # the services moved it on
        self.consents(spec, case, student, line)
        self.work(spec, case, student, lead, plan, line, script)
        return case

    def open(self, spec: Spec, student: Student, line: Timeline, script: Script) -> Case:
        teacher = self.teachers.get(student.school_class_id)
        if spec.channel == CH.TEACHER_REFERRAL and teacher is not None:
            actor, referred_by, brought_by = teacher, teacher, teacher.display_name
        elif spec.channel == CH.GUARDIAN:
            # A parent's call, taken by the duty teacher: nobody holds it until it is assigned.
            name = self.guardian_names([student]).get(student.pk, "")
            actor, referred_by, brought_by = self.duty, None, f"家长 · {name}".strip(" ·")
        elif spec.channel == CH.DUTY_PHONE:
            actor, referred_by, brought_by = self.duty, None, BROUGHT_BY[spec.channel]
        else:
            # Taken by a counselor (or the director), who holds it until the assessment.
            actor, referred_by = (self.director if spec.lead == D else self.counselor), None
            brought_by = BROUGHT_BY.get(spec.channel, "")
        case = services_intake.case_open(
            actor=actor,
            student=student,
            channel=spec.channel,
            problem=self.rng.choice(script.problems),
            background=script.background if spec.state != BRIEF else "",
            brought_by=brought_by,
            referred_by=referred_by,
            urgency=Case.Urgency.URGENT if spec.severity == X else Case.Urgency.NORMAL,
        )
        opened = self.at(line.opened, self.rng.choice((T(8, 20), T(10, 5), T(12, 40), T(16, 50))))
        Case.objects.filter(pk=case.pk).update(opened_at=opened)
        CaseCounselor.objects.filter(case=case).update(assigned_at=opened)
        case.opened_at = opened
        return case

    def conference(
        self, spec: Spec, case: Case, student: Student, lead: User, line: Timeline
    ) -> Conference | None:
        needs = spec.severity != G or len(spec.categories) > 1
        if not needs:
            return None
        teacher = self.user_for(TEACHER, student)
        seats = [(lead, Role.COUNSELOR if lead != self.director else Role.DIRECTOR)]
        if self.counselor != lead:
            seats.append((self.counselor, Role.COUNSELOR))
        if teacher is not None:
            seats.append((teacher, Role.CLASS_TEACHER))
        if spec.categories[0] in ("life", "behaviour") and AFFAIRS in self.accounts:
            seats.append((self.accounts[AFFAIRS], Role.STUDENT_AFFAIRS))
        planned = spec.state == AS and spec.waiting == "conference"
        day = self.plus(self.today, 2, 4, latest=self.today + datetime.timedelta(days=10))
        when = timezone.make_aware(
            datetime.datetime.combine(day if planned else line.conference, T(16, 40))
        )
        conference = services_plans.conference_convene(
            actor=self.director,
            case=case,
            scheduled_at=when,
            place=CONFERENCE_PLACE,
            agenda=TEXTS["conference_agenda"],
            participants=seats,
        )
        if planned:
            return conference
        names = "、".join(dict.fromkeys(u.display_name for u, _role in seats))
        services_plans.conference_record(
            actor=self.director,
            conference=conference,
            attended=[self.director.pk, *(u.pk for u, _label in seats)],
            decisions=TEXTS["conference_decisions"].format(lead=lead.display_name, names=names),
            shared_summary=TEXTS["conference_shared_summary"],
        )
        held = self.at(line.conference, T(17, 30))
        Conference.objects.filter(pk=conference.pk).update(held_at=held)
        return conference

    def measures(self, student: Student, script: Script, starts_on: datetime.date) -> list[dict]:
        made = []
        for kind, description, who in script.measures:
            user = self.user_for(who, student)
            measure = {"kind": kind, "description": description, "starts_on": starts_on}
            if user is not None:
                measure["responsible"] = user
            elif who == TEACHER:
                teacher = self.teachers.get(student.school_class_id)
                measure["responsible_name"] = f"班主任{teacher.display_name if teacher else ''}"
            else:
                measure["responsible_name"] = who
            made.append(measure)
        return made

    def plan(
        self,
        case: Case,
        student: Student,
        lead: User,
        day: datetime.date,
        script: Script,
        conference: Conference | None,
        *,
        approve: bool = True,
        change_reason: str = "",
        weeks: int = 4,
    ) -> SupportPlan:
        plan = services_plans.plan_draft(
            actor=lead,
            case=case,
            goals=script.goals,
            review_every_weeks=weeks,
            measures=self.measures(student, script, day),
            change_reason=change_reason,
            conference=conference,
        )
        created = self.at(day, T(12, 10))
        SupportPlan.objects.filter(pk=plan.pk).update(created_at=created)
        if approve:
            services_plans.plan_approve(actor=self.director, plan=plan)
            SupportPlan.objects.filter(pk=plan.pk).update(
                approved_at=self.at(day, T(17, 10)),
                next_review_on=day + datetime.timedelta(weeks=weeks),
            )
        plan.refresh_from_db()
        return plan

    def consents(self, spec: Spec, case: Case, student: Student, line: Timeline) -> None:
        """Guardian consent to counseling of a minor, given when the plan was made."""
        name = self.guardian_names([student]).get(student.pk)
        if not name or self.rng.random() < 0.15:
            return
        consent = services_consent.consent_record(
            actor=self.counselor if spec.lead == C else self.director,
            case=case,
            purpose=Consent.Purpose.COUNSELING,
            given_by=Consent.GivenBy.GUARDIAN,
            giver_name=name,
            given_on=line.approved,
            how=self.rng.choice(TEXTS["counseling_consent_hows"]),
        )
        Consent.objects.filter(pk=consent.pk).update(recorded_at=self.at(line.approved, T(17, 20)))

    def work(
        self,
        spec: Spec,
        case: Case,
        student: Student,
        lead: User,
        plan: SupportPlan,
        line: Timeline,
        script: Script,
    ) -> None:
        """Sessions, reviews (summaries, evaluations, a second plan), referrals, closure."""
        last = line.end or self.today - datetime.timedelta(days=1)
        days = self.session_days(spec, line.approved, last)
        reviews = list(line.reviews)
        if spec.overdue_review and reviews:
            reviews = reviews[:-1]  # the last review is owed
        review_at = {day: index for index, day in enumerate(reviews)}
        pending = sorted(set(days) | set(reviews))
        ratings = iter(self.rating_path(len(reviews) + 1))
        session_index = 0
        referral_day = days[min(1, len(days) - 1)] if days and spec.referral else None
        for day in pending:
            for _same_day in range(days.count(day)):
                self.session(case, lead, day, script, session_index, spec)
                session_index += 1
            if day == referral_day:
                self.referral(spec, case, student, day, line)
            if day in review_at:
                index = review_at[day]
                plan = self.review(spec, case, student, lead, plan, day, script, index, ratings)
        self.activities(plan, line.approved, last)
        if spec.overdue_review and line.reviews:
            SupportPlan.objects.filter(pk=plan.pk).update(next_review_on=line.reviews[-1])
        else:
            # Reviews moved to a school day can leave the next one just behind today: only the
            # cases meant to be overdue are.
            SupportPlan.objects.filter(pk=plan.pk, next_review_on__lt=self.today).update(
                next_review_on=self.school_day(
                    self.today + datetime.timedelta(days=5),
                    latest=self.today + datetime.timedelta(days=30),
                )
            )
        if spec.state in (CG, CL, A):
            self.close(spec, case, lead, line, script, next(ratings, (8, 8, 8)))

    def session_days(
        self, spec: Spec, start: datetime.date, last: datetime.date
    ) -> list[datetime.date]:
        """About one session a week after the plan (two for a crisis), the last before ``last``."""
        if spec.records is not None:
            count = spec.records
            span = max((last - start).days, 1)
            return [
                self.school_day(
                    start + datetime.timedelta(days=span * (i + 1) // (count + 1)), latest=last
                )
                for i in range(count)
            ]
        step = 4 if spec.severity == X else 7
        days, day = [], start + datetime.timedelta(days=self.rng.randint(1, 3))
        while day <= last:
            days.append(self.school_day(day, latest=last))
            day += datetime.timedelta(days=step + self.rng.randint(-1, 2))
        days = sorted(set(days))
        if len(days) > MAX_SESSIONS:  # the first weeks and the most recent ones
            days = days[: MAX_SESSIONS // 2] + days[-(MAX_SESSIONS - MAX_SESSIONS // 2) :]
        return days

    def session(
        self, case: Case, lead: User, day: datetime.date, script: Script, index: int, spec: Spec
    ) -> None:
        problem, measures, effect, next_step = script.sessions[
            min(index, len(script.sessions) - 1)
            if spec.records is None
            else index % len(script.sessions)
        ]
        if index >= len(script.sessions) and spec.records is None:
            problem, measures, effect, next_step = session(TEXTS["routine_session"])
        kind = SessionRecord.Kind.INDIVIDUAL
        participants = ""
        if index == 1 and spec.categories[0] in ("family", "self_harm", "behaviour"):
            kind, participants = SessionRecord.Kind.GUARDIAN, "学生监护人"
        held = self.at(day)
        record = services_records.session_record(
            actor=lead,
            case=case,
            kind=kind,
            held_at=held,
            place=self.rng.choice(PLACES),
            participants=participants,
            problem=problem,
            measures_taken=measures,
            effect=effect,
            next_step=next_step,
            student_agreed=True,
        )
        SessionRecord.objects.filter(pk=record.pk).update(
            written_at=held + datetime.timedelta(minutes=self.rng.randint(50, 240))
        )

    def rating_path(self, steps: int) -> list[tuple[int, int, int]]:
        """Student, teacher and guardian ratings rising over the evaluations (1 to 10)."""
        start = self.rng.randint(3, 5)
        path = []
        for step in range(steps):
            student = min(9, start + step * 2 + self.rng.randint(0, 1))
            path.append(
                (
                    student,
                    min(10, student + self.rng.randint(0, 2)),
                    min(10, student + self.rng.randint(-1, 2)),
                )
            )
        return path

    def review(
        self,
        spec: Spec,
        case: Case,
        student: Student,
        lead: User,
        plan: SupportPlan,
        day: datetime.date,
        script: Script,
        index: int,
        ratings,
    ) -> SupportPlan:
        """A plan review: a stage summary, an evaluation, and (once) the plan's second version."""
        start = day - datetime.timedelta(weeks=4)
        summary = services_records.stage_summary_write(
            actor=lead,
            case=case,
            period_start=max(start, timezone.localdate(case.opened_at)),
            period_end=day,
            summary=script.summary,
        )
        StageSummary.objects.filter(pk=summary.pk).update(written_at=self.at(day, T(17, 40)))
        SupportPlan.objects.filter(pk=plan.pk).update(
            next_review_on=day + datetime.timedelta(weeks=plan.review_every_weeks)
        )
        self.evaluation(case, lead, day, next(ratings, (7, 8, 7)))
        if spec.plan_versions > 1 and index == 0:
            plan = self.plan(
                case,
                student,
                lead,
                day,
                script,
                plan.conference,
                change_reason=TEXTS["second_plan_reason"],
                weeks=6,
            )
        return plan

    def evaluation(
        self, case: Case, lead: User, day: datetime.date, ratings: tuple[int, int, int]
    ) -> None:
        student, teacher, guardian = ratings
        questionnaire = self.rng.random() < 0.4
        evaluation = services_records.evaluation_record(
            actor=lead,
            case=case,
            evaluated_on=day,
            student_rating=student,
            teacher_rating=teacher,
            guardian_rating=guardian if self.rng.random() < 0.8 else None,
            guardian_feedback=self.rng.choice(FEEDBACK),
            questionnaire="情绪自评问卷" if questionnaire else "",
            questionnaire_score=self.rng.randint(20, 60) if questionnaire else None,
        )
        Evaluation.objects.filter(pk=evaluation.pk).update(recorded_at=self.at(day, T(17, 50)))

    def referral(
        self, spec: Spec, case: Case, student: Student, day: datetime.date, line: Timeline
    ) -> None:
        """A referral (with the guardian's consent when it leaves the school) and its outcome."""
        lead_user = self.director if spec.lead == D else self.counselor
        due = day + datetime.timedelta(days=14)
        if spec.follow_up == "waiting":
            due = self.today + datetime.timedelta(days=10)
        if spec.referral == "internal":
            to = self.director if lead_user != self.director else self.counselor
            if case.counselors.filter(user=to).exists():
                return
            referral = services_referrals.referral_create(
                actor=lead_user,
                case=case,
                kind=Referral.Kind.INTERNAL,
                reason=TEXTS["internal_referral"]["reason"],
                follow_up_due=max(due, self.today),
                to_counselor=to,
            )
            outcome = TEXTS["internal_referral"]["outcome"]
        else:
            service, reason, outcome = REFERRALS[spec.referral]
            name = self.guardian_names([student]).get(student.pk) or "监护人"
            consent = services_consent.consent_record(
                actor=lead_user,
                case=case,
                purpose=Consent.Purpose.REFERRAL,
                given_by=Consent.GivenBy.GUARDIAN,
                giver_name=name,
                given_on=day,
                how=TEXTS["referral_consent_how"],
            )
            Consent.objects.filter(pk=consent.pk).update(recorded_at=self.at(day, T(17, 0)))
            referral = services_referrals.referral_create(
                actor=lead_user,
                case=case,
                kind=Referral.Kind.EXTERNAL,
                reason=reason,
                follow_up_due=max(due, self.today),
                to_service=self.services[service],
            )
        Referral.objects.filter(pk=referral.pk).update(
            referred_at=self.at(day, T(17, 15)), follow_up_due=due
        )
        if spec.follow_up != "done":
            return
        referral.refresh_from_db()
        services_referrals.referral_record_outcome(
            actor=lead_user, referral=referral, outcome=outcome
        )
        back = min(due - datetime.timedelta(days=self.rng.randint(0, 5)), line.end or self.today)
        Referral.objects.filter(pk=referral.pk).update(outcome_at=self.at(back, T(16, 0)))

    def activities(self, plan: SupportPlan, start: datetime.date, last: datetime.date) -> None:
        """The tutoring of the plan, logged every week or two by whoever gives it."""
        for measure in plan.measures.filter(kind=PlanMeasure.Kind.TUTORING):
            day = start + datetime.timedelta(days=self.rng.randint(2, 6))
            while day <= min(last, self.today):
                on = self.school_day(day, latest=min(last, self.today))
                activity = services_plans.measure_log_activity(
                    actor=measure.responsible or self.counselor,
                    measure=measure,
                    on=on,
                    minutes=self.rng.choice((30, 40, 45)),
                    note=self.rng.choice(TEXTS["tutoring_notes"]),
                )
                MeasureActivity.objects.filter(pk=activity.pk).update(
                    logged_at=self.at(on, T(13, 0))
                )
                day += datetime.timedelta(days=self.rng.randint(7, 14))

    def close(
        self,
        spec: Spec,
        case: Case,
        lead: User,
        line: Timeline,
        script: Script,
        ratings: tuple[int, int, int],
    ) -> None:
        self.evaluation(case, lead, line.end, ratings)
        services_records.case_request_closure(
            actor=lead,
            case=case,
            closing_summary=script.closing,
            measure_ends={
                m.pk: (PlanMeasure.Status.DONE, "") for m in services_records.open_measures(case)
            },
        )
        if spec.state == CG:
            return
        services_records.case_confirm_closure(actor=self.director, case=case)
        closed_at = self.at(line.confirmed, T(17, 5))
        Case.objects.filter(pk=case.pk).update(closed_at=closed_at)
        if spec.state == A and self.previous is not None:
            services_records.case_archive(actor=self.director, case=case, semester=self.previous)
            case.refresh_from_db()
            archived_on = line.archived
            Case.objects.filter(pk=case.pk).update(
                archived_at=timezone.make_aware(datetime.datetime.combine(archived_on, T(15, 0))),
                retention_until=retention_until(case, archived_on),
            )
