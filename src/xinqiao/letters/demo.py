"""The demo school's letterbox: a dozen letters of the last weeks, named and anonymous, some
answered, one waiting for more than a week, and three that said a danger phrase: one became a
危机 alert today, one a 高危 alert, one was judged a false alarm (a song quoted) and dismissed.

As in the other demos, everything goes through the services (the danger-phrase check included)
and the dates are then moved back with plain updates. Made-up texts only.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone, translation

from xinqiao.core.demo import DemoContext
from xinqiao.core.models import Notification, User
from xinqiao.core.roles import Role
from xinqiao.crisis.phrases import flags_of, phrase_flag_dismiss
from xinqiao.letters.models import Letter, LetterReply
from xinqiao.letters.services import daily_count_key, letter_reply, letter_send
from xinqiao.people.models import School, Student

# (days ago, named?, letter, reply or "", dismiss reason or "")
LETTERS = [
    (
        20,
        True,
        "老师，我最近总是和妈妈吵架，她只关心我的成绩。我该怎么和她说？",
        "谢谢你的来信。和妈妈说话前，可以先写下你最想让她知道的一件事。欢迎周三中午来咨询室聊聊。",
        "",
    ),
    (
        16,
        False,
        "我是初二的学生，上课总是走神，越着急越学不进去。",
        "走神是很多同学都会遇到的，和你的努力无关。可以试试每学二十分钟休息五分钟。",
        "",
    ),
    (
        12,
        False,
        "宿舍里有人总在背后说我坏话，我不知道要不要告诉班主任。",
        "被人议论确实很难受。你可以先来咨询室和老师聊聊，我们一起想想怎么做。",
        "",
    ),
    (9, False, "期中考试没考好，我爸说再考不好就别回家了。我很害怕。", "", ""),
    (6, True, "我喜欢上了班里的一个同学，每天都想着他，作业都写不进去。", "", ""),
    (
        3,
        False,
        "最近一直单曲循环一首歌，歌词里唱“我想死在你怀里”，被同桌笑了好几天。",
        "",
        "学生在引用歌词，没有伤害自己的意思；下周心理课上再留意。",
    ),
    (2, False, "我不想死，但是每天都觉得很累，不知道该跟谁说。", "", ""),
    (1, False, "我们班要换班主任了，大家都很舍不得原来的老师。", "", ""),
    (0, True, "觉得活着没意思，每天回家都没有人说话。", "", ""),
    (0, False, "我不想活了，爸爸妈妈离婚以后没有人要我。", "", ""),
]


def build(context: DemoContext) -> None:
    school = context.objects.get("school") or School.objects.get(code="demo")
    student_account = User.objects.get(username=Role.STUDENT)
    counselor = User.objects.get(username=Role.COUNSELOR)
    director = User.objects.get(username=Role.DIRECTOR)
    # Named letters come from the demo student account and two classmates; anonymous ones keep
    # no writer whoever sends them.
    classmates = [
        student.user
        for student in Student.objects.filter(school=school)
        .exclude(user=student_account)
        .select_related("user")
        .order_by("pk")[:2]
    ]
    writers = [student_account, *classmates]
    since = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        for index, (days_ago, named, body, reply, dismissal) in enumerate(LETTERS):
            writer = writers[index % len(writers)]
            cache.delete(daily_count_key(writer))
            sent = letter_send(
                writer=writer,
                school=school,
                body=body,
                anonymous=not named,
                submission_key=f"demo-letter-{index}",
            )
            letter = sent.letter
            sent_on = today - datetime.timedelta(days=days_ago)
            Letter.objects.filter(pk=letter.pk).update(sent_on=sent_on)
            if reply:
                letter_reply(actor=counselor, letter=letter, body=reply)
                answered = timezone.make_aware(
                    datetime.datetime.combine(
                        sent_on + datetime.timedelta(days=3), datetime.time(12)
                    )
                )
                LetterReply.objects.filter(letter=letter).update(sent_at=answered)
                Letter.objects.filter(pk=letter.pk).update(answered_at=answered)
            for flag in flags_of(letter) if dismissal else ():
                phrase_flag_dismiss(actor=director, flag=flag, reason=dismissal)
        cache.delete_many([daily_count_key(writer) for writer in writers])
    # What the replies told the named writers is history; the alerts' notices still wait.
    Notification.objects.filter(pk__gt=since, recipient__in=writers).delete()
