"""The demo school's screening (`xinqiao demo`, core/management/commands/demo.py).

1. The school adds a wording, as a school does: the demo wordings (demo_wordings/, NOT validated
   translations, and the scale page says so) are copied into ``<data dir>/scales/``, so that
   PHQ-9, WHO-5 and CES-D can be given.
2. A finished campaign of the whole school earlier this semester (PHQ-9 and WHO-5): most
   students minimal or mild, a few moderate and above, two with item 9 answered (their alerts
   were raised, acknowledged and resolved), about 4 % opted out by a guardian, a few who never
   submitted; its follow-up interviews mostly held, most finding no concern (the share of flags
   that were false positives shows), four confirming one (a case opened for each), a few
   still to hold, some of them assigned.
3. A campaign open now for 七年级1班, the class of the ``student`` account: that account finds
   a questionnaire to fill in; a few classmates have begun, a few have submitted.

Everything goes through the services (screening/services.py), so every row is as the product
writes it. The services rightly check the clock (an announce needs a window not yet closed, a
submit an open window): the finished campaign is built in a window open now, then its times are
set back with plain updates (``_set_back``), as the crisis demo does with its alerts' history.
Nothing is scored here: the services score what the made-up answers say.
"""

from __future__ import annotations

import datetime
import random
import shutil

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from xinqiao.cases.models import Case
from xinqiao.core.demo import DemoContext
from xinqiao.core.models import Notification, PendingStep, User
from xinqiao.core.roles import Role
from xinqiao.crisis.demo_alerts import set_back
from xinqiao.crisis.models import Alert, AlertEvent
from xinqiao.crisis.services import alert_acknowledge, alert_resolve
from xinqiao.people.models import Grade, GuardianLink, School, Student
from xinqiao.screening.library import DEMO_WORDINGS_DIR, school_scales_dir
from xinqiao.screening.models import Campaign, ClassCode, FollowUp, Participation, Response
from xinqiao.screening.services import (
    answers_save,
    campaign_announce,
    campaign_close,
    campaign_save,
    follow_up_assign,
    follow_up_conclude,
    opt_out,
    participation_submit,
)

SEED = 20261012
DAY, HOUR, MINUTE = (datetime.timedelta(days=1), datetime.timedelta(hours=1),
                     datetime.timedelta(minutes=1))  # fmt: skip
PHQ9, WHO5, CESD = "phq9@1.0", "who5@1.0", "cesd@1.0"

# The finished campaign: the share of each PHQ-9 band (the total drawn in its range).
PHQ9_BANDS = (
    ((0, 4), 0.66),  # minimal
    ((5, 9), 0.305),  # mild
    ((10, 14), 0.022),  # moderate
    ((15, 19), 0.009),  # moderately severe
    ((20, 24), 0.004),  # severe
)
# How likely a WHO-5 raw score of 12 or less (poor well-being, a follow-up) is in each band.
WHO5_POOR = (0.004, 0.02, 0.5, 0.7, 0.9)
ITEM9_STUDENTS = 2  # item 9 answered: alerts through the crisis app (its board is not flooded)
OPTED_OUT_SHARE = 0.04
NOT_SUBMITTED = 14  # absent that week: 9 never began, 5 left it half done
CONFIRMED = 4  # interviews that found a concern: a case each (the item-9 students among them)
PENDING, PENDING_ASSIGNED = 9, 5  # interviews still to hold, some already given to someone

FINISHED_TITLE = "2026年秋季学期心理健康普查"
FINISHED_PURPOSE = (
    "学校每学期请全体学生填写两份简短的自评问卷（PHQ-9 情绪自评、WHO-5 身心健康指标），"
    "目的是及早发现需要关心的同学，由心理老师约谈了解情况。结果只用于安排面谈，不是诊断，"
    "只有心理中心老师能看到个人作答；班主任只知道需要请谁来面谈。家长可以为孩子申请不参加。"
)
OPEN_TITLE = "七年级1班 适应情况问卷"
OPEN_PURPOSE = (
    "七年级同学入学三个月，心理中心请1班同学填写两份简短问卷（WHO-5 身心健康指标、CES-D "
    "抑郁自评），了解大家适应初中生活的情况。结果只用于安排面谈，不是诊断。"
)
SUPPORTIVE = "谢谢你认真填写。如果最近心里不舒服，随时可以到心理中心（实验楼三楼）找老师聊聊。"
NO_CONCERN_NOTES = (
    "面谈了解：考试前压力大、睡得晚，近两周已缓解，无风险迹象。告知心理中心开放时间。",
    "与好友闹矛盾后情绪低落几天，已和好，目前状态良好。",
    "刚转入住校，不太适应，已和宿管老师沟通，情绪平稳。",
    "作答时误解了题意，面谈中情绪正常，学习生活规律。",
    "家中老人生病，担心，已与班主任沟通给予关心，无需个案跟进。",
)
CONFIRMED_NOTES = "面谈中学生情绪持续低落已超过一个月，睡眠差，与家长沟通后同意建立个案跟进。"
ALERT_NOTE = "当天由心理老师约谈学生并联系家长，评估后转入个案跟进，已安排每周面谈。"


def _copy_wordings() -> None:
    """What a school does to give a scale: put the wording file into its scales folder."""
    folder = school_scales_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # `xinqiao serve` checks the modes
    for path in sorted(DEMO_WORDINGS_DIR.glob("*.yaml")):
        shutil.copyfile(path, folder / path.name)
        (folder / path.name).chmod(0o600)


class _Answers:
    """Made-up answers: a PHQ-9 total by the band shares above, spread over its items."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def spread(self, total: int, items: list[str], top: int) -> dict[str, int]:
        answers = dict.fromkeys(items, 0)
        for _point in range(total):
            item = self.rng.choice([i for i in items if answers[i] < top])
            answers[item] += 1
        return answers

    def phq9(self, band: int, item9: int = 0) -> dict[str, int]:
        low, high = PHQ9_BANDS[band][0]
        total = self.rng.randint(low, high) - item9
        answers = self.spread(max(total, 0), [f"q{n}" for n in range(1, 9)], 3)
        return {**answers, "q9": item9}

    def who5(self, poor: bool) -> dict[str, int]:
        raw = self.rng.randint(5, 12) if poor else self.rng.randint(14, 24)
        return self.spread(raw, [f"q{n}" for n in range(1, 6)], 5)

    def band(self) -> int:
        weights = [share for _range, share in PHQ9_BANDS]
        return self.rng.choices(range(len(PHQ9_BANDS)), weights=weights)[0]


def _people(context: DemoContext) -> dict[str, User]:
    names = [Role.DIRECTOR, Role.COUNSELOR, Role.STUDENT]
    people = {role: context.objects.get(f"user:{role}") for role in names}
    if not all(people.values()):
        people = {u.username: u for u in User.objects.filter(username__in=names)}
    return people


def _day_at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def build_finished(context: DemoContext, school: School, people: dict[str, User]) -> Campaign:
    rng = random.Random(SEED)  # noqa: S311 (made-up data, not secrets)
    made = _Answers(rng)
    director, counselor = people[Role.DIRECTOR], people[Role.COUNSELOR]
    now = timezone.now()
    campaign = campaign_save(
        actor=director,
        school=school,
        title=FINISHED_TITLE,
        purpose=FINISHED_PURPOSE,
        audience=Campaign.Audience.STUDENTS,
        scales=[PHQ9, WHO5],
        opens_at=now - MINUTE,
        closes_at=now + HOUR,
        grades=Grade.objects.filter(school=school),
        supportive_message=SUPPORTIVE,
    )
    campaign = campaign_announce(actor=director, campaign=campaign)
    participations = list(
        campaign.participations.select_related("student__user").order_by("student__student_number")
    )
    rng.shuffle(participations)
    # Guardians who kept their child out (one of each family's guardians, as the notice let them).
    opted = participations[: round(len(participations) * OPTED_OUT_SHARE)]
    guardian_of = dict(
        GuardianLink.objects.filter(student__in=[p.student_id for p in opted], is_primary=True)
        .exclude(guardian__user=None)
        .values_list("student_id", "guardian__user_id")
    )
    guardians = User.objects.in_bulk(guardian_of.values())
    for participation in opted:
        # A guardian without an account hands in the paper slip: the director records it.
        guardian = guardians.get(guardian_of.get(participation.student_id), director)
        opt_out(actor=guardian, participation=participation)
    rest = participations[len(opted) :]
    half_done = rest[NOT_SUBMITTED - 5 : NOT_SUBMITTED]  # the first ones never began
    takers = rest[NOT_SUBMITTED:]
    for participation in half_done:
        answers_save(participation=participation, scale_id="phq9", seq=3,
                     answers=dict(list(made.phq9(made.band()).items())[:4]))  # fmt: skip
    # Most answered in the computer room with their class's code, some on their own account:
    # the first screen started them (participation_start, here for all at once).
    by_code = {p.pk for p in takers if rng.random() < 0.8}
    for via, pks in (
        (Participation.Via.CLASS_CODE, by_code),
        (Participation.Via.ACCOUNT, {p.pk for p in takers} - by_code),
    ):
        Participation.objects.filter(pk__in=pks, state=Participation.State.INVITED).update(
            state=Participation.State.STARTED, started_at=now, via=via
        )
    item9 = set(rng.sample(range(len(takers)), ITEM9_STUDENTS))
    for index, participation in enumerate(takers):
        band = made.band()
        if index in item9:
            band = max(band, 2)
        answers = {
            "phq9": made.phq9(band, item9=1 if index in item9 else 0),
            "who5": made.who5(rng.random() < WHO5_POOR[band]),
        }
        code = participation.pk in by_code
        participation_submit(
            actor=None if code else participation.student.user,
            participation=participation,
            answers=answers,
        )
    _interviews(rng, campaign, director, counselor, context)
    campaign_close(actor=director, campaign=campaign)
    _set_back(rng, campaign, now)
    return campaign


def _interviews(rng, campaign, director, counselor, context) -> None:
    """The follow-ups: most held and found no concern, four confirmed (a case each), a few to
    hold, some of them assigned. The alerts of item 9 were acknowledged and resolved."""
    interviewers = [
        u for u in context.objects.get("counselors", []) if isinstance(u, User) and u.is_active
    ] or [counselor]
    interviewers = [
        counselor,
        director,
        *[u for u in interviewers if u not in (counselor, director)],
    ]
    follow_ups = list(
        FollowUp.objects.filter(participation__campaign=campaign).select_related("participation")
    )
    alerted = set(
        Response.objects.filter(participation__campaign=campaign)
        .exclude(critical_level="")
        .values_list("participation_id", flat=True)
    )
    # The item-9 students and the highest PHQ-9 totals are confirmed; the rest mostly not.
    totals = dict(
        Response.objects.filter(participation__campaign=campaign, scale_id="phq9").values_list(
            "participation_id", "total"
        )
    )
    follow_ups.sort(
        key=lambda f: (f.participation_id not in alerted, -(totals.get(f.participation_id) or 0))
    )
    confirmed = follow_ups[:CONFIRMED]
    others = follow_ups[CONFIRMED:]
    rng.shuffle(others)
    pending, no_concern = others[:PENDING], others[PENDING:]
    today = timezone.localdate()
    for number, follow_up in enumerate(confirmed):
        follow_up_assign(actor=director, follow_up=follow_up, interviewer=counselor)
        follow_up_conclude(
            actor=counselor,
            follow_up=follow_up,
            conclusion=FollowUp.Conclusion.CONFIRMED,
            interviewed_on=today - datetime.timedelta(days=38 - number),
            notes=CONFIRMED_NOTES,
        )
    for number, follow_up in enumerate(no_concern):
        interviewer = interviewers[number % len(interviewers)]
        follow_up_assign(actor=director, follow_up=follow_up, interviewer=interviewer)
        follow_up_conclude(
            actor=interviewer,
            follow_up=follow_up,
            conclusion=FollowUp.Conclusion.NO_CONCERN,
            interviewed_on=today - datetime.timedelta(days=37 - number % 30),
            notes=rng.choice(NO_CONCERN_NOTES),
        )
    for follow_up in pending[:PENDING_ASSIGNED]:
        follow_up_assign(actor=director, follow_up=follow_up, interviewer=counselor)


def _set_back(rng: random.Random, campaign: Campaign, built: datetime.datetime) -> None:
    """Put the campaign, six weeks ago, at the times it happened (the services stamp now)."""
    opens = _day_at(timezone.localdate() - 42 * DAY, 8)
    closes = opens + 4 * DAY + 9 * HOUR  # Monday 08:00 to Friday 17:00 of that week
    announced = opens - 7 * DAY
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=opens, closes_at=closes, announced_at=announced, closed_at=closes,
        created_at=announced - 2 * DAY,
    )  # fmt: skip
    rows = list(campaign.participations.all())
    for row in rows:
        if row.state == Participation.State.OPTED_OUT:
            row.opted_out_at = announced + rng.randint(60, 6 * 24 * 60) * MINUTE
            continue
        if row.started_at is None:
            continue
        lesson = opens + rng.randint(0, 4) * DAY + rng.choice((0, 1, 2, 5, 6)) * HOUR
        row.started_at = lesson + rng.randint(0, 20) * MINUTE
        if row.submitted_at is not None:
            row.submitted_at = row.started_at + rng.randint(4, 15) * MINUTE
    Participation.objects.bulk_update(
        rows, ["opted_out_at", "started_at", "submitted_at"], batch_size=300
    )
    finished = Participation.objects.filter(pk=OuterRef("participation_id"))
    responses = Response.objects.filter(participation__campaign=campaign)
    responses.filter(scored_at__isnull=False).update(
        saved_at=Subquery(finished.values("submitted_at")),
        scored_at=Subquery(finished.values("submitted_at")),
    )
    responses.filter(scored_at__isnull=True).update(
        saved_at=Subquery(finished.values("started_at"))
    )
    follow_ups = FollowUp.objects.filter(participation__campaign=campaign)
    follow_ups.update(created_at=Subquery(finished.values("submitted_at")))
    # What the services told at the time: read since, and dated then.
    told = Notification.objects.filter(created_at__gte=built)
    told.filter(title__contains=FINISHED_TITLE).update(
        created_at=announced, read_at=announced + DAY
    )
    steps = PendingStep.objects.filter(
        object_type=FollowUp._meta.label, object_id__in=follow_ups.values("pk")
    )
    steps.update(created_at=closes + DAY)
    Notification.objects.filter(pk__in=steps.values("notification_id")).update(
        created_at=closes + DAY
    )
    # The cases the interviews opened: opened on the interview's day.
    for follow_up in follow_ups.exclude(case=None).select_related("case"):
        opened = _day_at(follow_up.interviewed_on, 15)
        Case.objects.filter(pk=follow_up.case_id).update(opened_at=opened)
    # The alerts of item 9: raised at the submit, acknowledged within minutes, resolved that day.
    director = User.objects.get(username=Role.DIRECTOR)
    counselor = User.objects.get(username=Role.COUNSELOR)
    for alert in Alert.objects.filter(
        source=Alert.Source.SCREENING, state=Alert.State.RAISED, raised_at__gte=built
    ):
        raised = Participation.objects.get(
            pk=Response.objects.get(pk=alert.source_id).participation_id
        ).submitted_at
        set_back(alert, raised)
        alert_acknowledge(actor=counselor, alert=alert)
        _last_event_at(alert, raised + 6 * MINUTE)
        alert_resolve(actor=director, alert=alert, note=ALERT_NOTE)
        _last_event_at(alert, raised + 5 * HOUR)


def _last_event_at(alert: Alert, at: datetime.datetime) -> None:
    event = alert.events.order_by("-pk").first()
    AlertEvent.objects.filter(pk=event.pk).update(at=at)


def build_open(school: School, people: dict[str, User]) -> Campaign:
    """七年级1班's questionnaire, open since yesterday morning: the demo student has not begun;
    a few classmates have begun, a few have submitted."""
    rng = random.Random(SEED + 1)  # noqa: S311 (made-up data, not secrets)
    made = _Answers(rng)
    director, student = people[Role.DIRECTOR], people[Role.STUDENT]
    own = Student.objects.select_related("school_class").get(user=student)
    opens = _day_at(timezone.localdate() - DAY, 8)
    campaign = campaign_save(
        actor=director,
        school=school,
        title=OPEN_TITLE,
        purpose=OPEN_PURPOSE,
        audience=Campaign.Audience.STUDENTS,
        scales=[WHO5, CESD],
        opens_at=opens,
        closes_at=opens + 8 * DAY + 9 * HOUR,
        classes=[own.school_class],
        supportive_message=SUPPORTIVE,
    )
    campaign = campaign_announce(actor=director, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(announced_at=opens - 3 * DAY)
    demo_accounts = User.objects.filter(is_active=True).values("pk")
    classmates = list(
        campaign.participations.exclude(student__user__in=demo_accounts).order_by("pk")
    )
    rng.shuffle(classmates)
    for participation in classmates[:4]:  # begun: WHO-5 done, CES-D under way
        answers_save(participation=participation, scale_id="who5", seq=5,
                     answers=made.who5(False))  # fmt: skip
        cesd = made.spread(rng.randint(6, 14), [f"q{n}" for n in range(1, 21)], 3)
        answers_save(participation=participation, scale_id="cesd", seq=9,
                     answers=dict(list(cesd.items())[: rng.randint(3, 12)]))  # fmt: skip
    for participation in classmates[4:9]:  # submitted
        cesd = made.spread(rng.randint(4, 12), [f"q{n}" for n in range(1, 21)], 3)
        for item in ("q4", "q8", "q12", "q16"):  # the reversed items: mostly "often"
            cesd[item] = rng.choice((2, 3))
        participation_submit(
            actor=None,
            participation=participation,
            answers={"who5": made.who5(False), "cesd": cesd},
        )
    return campaign


def build(context: DemoContext) -> None:
    school: School = context.objects.get("school") or School.objects.get(code="demo")
    people = _people(context)
    _copy_wordings()
    finished = build_finished(context, school, people)
    opened = build_open(school, people)
    context.objects.update(
        screening_finished=finished,
        screening_open=opened,
        screening_class_code=ClassCode.objects.get(campaign=opened).code,
    )
