"""The demo school's case work: about sixty cases of 心桥实验学校 in every state, with their
assessments, conferences, support plans, session records, stage summaries, evaluations,
consents and referrals, held by the demo counselor 刘思远 (``counselor``) and the director
陈静怡 (``director``), the only issued counseling accounts.

* Archived: cases of the previous semester, closed before it ended and archived at its end.
* Closed, closing, active, assessing: cases of the last weeks and months before today.
* Intake: the last few days' intakes, some still waiting for a counselor, among them the urgent
  visit of today's alert (rooms demo) and the intakes the duty teacher passed on.
* Brief contacts: questions answered at once.

A few plan reviews and referral follow-ups are overdue, so that the statistics and task lists have
something to show; some plans are in their second version; a crisis case is referred to the
district mental-health center with the guardian's consent. The class teacher account
(``class_teacher``) referred two of its own students, sits in their case conference and is
responsible for measures of their plans, so that signing in as them shows what is shared.

As in rooms/demo.py, everything goes through the services a user's action calls (they check the
state machine, encrypt the text, number the cases), and the dates those services set to "now"
are then moved back to when the step happened, with plain updates. Notifications the services
sent about that history are removed again, except for what is still waiting (new intakes, cases
waiting to be closed, conferences to come). Every name, text and telephone number is made up;
a fixed random seed gives the same cases on every load of the same day.

``add_long_followed_student`` is for the benchmark (tests/bench/student_file_bench.py): one
student with ten cases and two hundred records, built the same way.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from xinqiao.cases import (
    services_consent,
    services_directory,
    services_intake,
    services_plans,
    services_records,
    services_referrals,
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
    Severity,
    StageSummary,
    SupportPlan,
    retention_until,
)
from xinqiao.core.demo import DemoContext
from xinqiao.core.models import Notification, User
from xinqiao.core.roles import Role
from xinqiao.people.models import GuardianLink, RoleAssignment, School, Semester, Student
from xinqiao.rooms.selectors import holiday_dates

SEED = 20261015
T = datetime.time
DEMO_STUDENT_ACCOUNTS = (Role.STUDENT, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)
PLACES = ("心理咨询室", "心理咨询室", "心理咨询室", "关爱室")
SESSION_TIMES = (T(12, 30), T(13, 15), T(16, 30), T(17, 0))
CONFERENCE_PLACE = "心理中心会议室"
MAX_SESSIONS = 10  # records of one demo case at most
C, D, TEACHER, AFFAIRS = "counselor", "director", "class_teacher", "student_affairs"


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


K = PlanMeasure.Kind
SCRIPTS: dict[str, Script] = {
    "learning": Script(
        problems=(
            "最近两次月考成绩明显下滑，上课常走神，作业拖到深夜也写不完，自己说“越学越没信心”。",
            "数学跟不上，一到数学课就紧张，考试时脑子一片空白，担心考不上理想的学校。",
        ),
        background="父母对成绩期望较高，每次考试后都会比较排名。学生平时较内向，很少向老师提问。",
        measures_needed="个体辅导（学习动机与考试焦虑），学科老师学业辅导，与家长沟通期望。",
        goals="一个月内建立稳定的作息和学习计划；考试焦虑自评下降；能主动向老师提问。",
        measures=(
            (K.INDIVIDUAL, "每周一次个体辅导：学习动机、考试焦虑的放松训练", C),
            (
                K.TUTORING,
                "数学学业辅导，每周两次午休，由学习委员结对帮扶",
                "学生志愿者（班级学习委员）",
            ),
            (K.GUARDIAN_MEETING, "与家长面谈，讨论合理期望和家庭作息", C),
        ),
        sessions=(
            (
                "谈到最近考试失利后的挫败感，觉得“怎么努力都没用”。",
                "倾听与共情；一起梳理一天的时间安排，找出拖延最严重的时段。",
                "学生情绪较平稳，愿意尝试新的作息表。",
                "一周内按作息表执行，记录每天的完成情况。",
            ),
            (
                "作息表执行了四天，周末又熬夜。数学作业仍然困难。",
                "肯定已有的进步；练习番茄工作法；联系学科老师安排答疑。",
                "学生表示有了一点掌控感。",
                "继续执行，下次谈考试前的紧张。",
            ),
            (
                "说到考试时心跳加快、手心出汗，担心再考砸。",
                "教授腹式呼吸和积极自我暗示，模拟考试情境练习。",
                "练习后自评紧张程度从8分降到5分。",
                "考前每天练习放松一次。",
            ),
            (
                "周测数学提高了十几分，很高兴，但担心是偶然。",
                "帮助学生把进步归因于自己的努力；讨论下一阶段的目标。",
                "自信心有所提升，能说出两条有效的学习方法。",
                "保持节奏，两周后回顾。",
            ),
            (
                "近两周状态稳定，能主动问老师问题。",
                "回顾整个辅导过程，巩固有效策略，讨论结束辅导。",
                "学生认为自己可以独立应对。",
                "准备结案，告知有需要可随时预约。",
            ),
        ),
        summary="本阶段学生作息趋于规律，考试焦虑明显缓解，数学周测成绩有所提高；家长表示会减少排名比较。下一阶段以巩固为主。",
        closing="经过六周的个体辅导和学业帮扶，学生学习动机和自信心提高，考试焦虑自评由8分降至4分，能独立运用放松方法。家长配合良好。目标基本达成，予以结案，后续由班主任日常关注。",
        brief="学生询问如何制定复习计划，给予了时间管理的建议和资料，告知可预约进一步交流。",
    ),
    "emotion": Script(
        problems=(
            "近一个月情绪低落，常一个人发呆，对以前喜欢的篮球也提不起兴趣，晚上入睡困难。",
            "容易烦躁，和同学说话时常发火，事后又很后悔，自己说“控制不住脾气”。",
        ),
        background="上学期末外婆去世，学生与外婆感情很深。父母工作忙，平时交流不多。",
        measures_needed="个体辅导（情绪识别与表达），关注睡眠情况，加强与家长沟通。",
        goals="能识别并说出自己的情绪；入睡时间缩短；每周至少参加一次喜欢的活动。",
        measures=(
            (K.INDIVIDUAL, "每周一次个体辅导：情绪识别与哀伤处理", C),
            (K.GROUP, "参加“情绪管理成长小组”（每周三下午）", C),
            (K.GUARDIAN_MEETING, "与家长电话沟通，建议增加陪伴时间", C),
        ),
        sessions=(
            (
                "说最近总是提不起劲，想起外婆就难过，不想和别人说。",
                "倾听与陪伴；介绍情绪温度计，请学生每天记录情绪分数。",
                "学生哭了一会儿，结束时说“说出来好一点”。",
                "记录一周的情绪温度计。",
            ),
            (
                "情绪记录显示周末最低落，晚上一个人在房间时容易想起外婆。",
                "讨论哀伤的正常反应；一起想了三个晚上可以做的放松活动。",
                "学生愿意尝试睡前听音乐和写日记。",
                "试行睡前放松，观察入睡时间。",
            ),
            (
                "入睡比以前快了一些，白天上课注意力仍不太集中。",
                "练习正念呼吸；鼓励重新参加篮球社的活动。",
                "学生答应周五去打一次球。",
                "下次反馈参加活动的感受。",
            ),
            (
                "周五和同学打了球，感觉“挺开心的”。情绪分数多在6分以上。",
                "肯定积极变化；讨论遇到低落时可以找谁。",
                "学生能说出两个可以倾诉的人。",
                "两周后回访。",
            ),
        ),
        summary="学生情绪逐步平稳，情绪温度计多在6分以上，入睡时间由一小时缩短到半小时左右，重新参加篮球社活动。家长增加了周末陪伴。",
        closing="学生能够识别和表达情绪，哀伤反应已明显缓解，学习和社交恢复正常。与家长、班主任沟通后结案，班主任继续日常关注。",
        brief="学生课间来访说心情不好，倾听后情绪缓解，介绍了情绪管理成长小组，学生表示考虑报名。",
    ),
    "relationships": Script(
        problems=(
            "和宿舍同学发生矛盾后被孤立，吃饭、上课都是一个人，不想回宿舍。",
            "觉得班上同学在背后议论自己，不敢主动和人说话，课间总是待在座位上。",
        ),
        background="住校生，第一次离家住宿。性格敏感，小学时有过被同学排斥的经历。",
        measures_needed="个体辅导（人际沟通技巧），与班主任、宿舍管理老师沟通，必要时调解。",
        goals="能与宿舍同学正常相处；课间至少与一位同学交流；不再回避集体活动。",
        measures=(
            (K.INDIVIDUAL, "每周一次个体辅导：人际沟通与自我表达", C),
            (K.OTHER, "班主任在班内安排合作学习小组，创造交往机会", TEACHER),
            (K.LIFE_ASSISTANCE, "与宿管老师沟通，关注宿舍氛围", C),
        ),
        sessions=(
            (
                "讲述了和室友因为熄灯时间发生争执的经过，觉得大家都站在对方那边。",
                "倾听与澄清；用角色互换帮助学生理解室友的想法。",
                "学生承认自己当时语气比较冲。",
                "想一想可以怎样和室友开口。",
            ),
            (
                "尝试和一位室友打了招呼，对方回应了，但还是有些尴尬。",
                "练习“我信息”的表达方式；肯定主动迈出的一步。",
                "学生说“没有想象中那么难”。",
                "在合作小组里主动发言一次。",
            ),
            (
                "小组活动中负责做海报，和组员合作还不错。",
                "强化成功经验；讨论以后出现分歧时怎么处理。",
                "学生开始愿意回宿舍和室友聊天。",
                "继续观察，两周后回访。",
            ),
            (
                "宿舍关系基本缓和，周末还和室友一起去了图书馆。",
                "回顾改变的过程，讨论结束辅导。",
                "学生对自己的变化感到满意。",
                "准备结案。",
            ),
        ),
        summary="学生与室友的矛盾经调解后缓和，能在合作小组中承担任务，课间与同学交流增多。宿管老师反馈宿舍氛围良好。",
        closing="经过一个多月的辅导和班级、宿舍的共同支持，学生人际关系明显改善，已不再回避集体活动。目标达成，予以结案。",
        brief="学生来访询问如何和好朋友和好，一起讨论了道歉和沟通的方式，学生表示会试一试。",
    ),
    "family": Script(
        problems=(
            "父母近期闹离婚，家里经常吵架，学生说“在家待不下去”，周末不愿回家。",
            "跟随爷爷奶奶生活，父母在外地打工一年回来一次，最近常说想爸爸妈妈，上课哭过两次。",
        ),
        background="父亲长期在外地工作，母亲情绪不稳定。学生是家中老大，还要照顾弟弟。",
        measures_needed="个体辅导（情绪支持与家庭变故适应），家访，与监护人沟通，亲情电话。",
        goals="学生能表达对家庭变化的感受；与父母每周至少视频通话一次；在校情绪稳定。",
        measures=(
            (K.INDIVIDUAL, "每两周一次个体辅导：家庭变故的情绪支持", C),
            (K.HOME_VISIT, "班主任与心理教师家访一次，了解家庭情况", TEACHER),
            (K.GUARDIAN_MEETING, "与父母分别沟通，建议避免在孩子面前争吵", C),
            (K.LIFE_ASSISTANCE, "关爱室亲情电话：每周与外地的父母视频一次", C),
        ),
        sessions=(
            (
                "说起家里的争吵就低下头，担心父母分开后自己要跟谁。",
                "共情与正常化；说明父母之间的问题不是孩子的错。",
                "学生点头，说以前一直觉得是自己不好。",
                "下周家访，先征得学生同意。",
            ),
            (
                "家访后学生说妈妈答应不在家里吵架了。",
                "讨论在家感到难受时可以做的事情；建立安全的倾诉渠道。",
                "学生情绪比上次轻松。",
                "每周在关爱室和爸爸视频一次。",
            ),
            (
                "和爸爸视频时说了很多话，爸爸答应寒假回来。",
                "肯定学生主动表达；讨论对未来的担心。",
                "学生对寒假有了期待。",
                "两周后再谈。",
            ),
            (
                "最近家里比较平静，学生能安心学习。",
                "回顾辅导过程，强化支持系统。",
                "学生能说出在家和在校可以求助的人。",
                "每月回访一次。",
            ),
        ),
        summary="经家访和与父母沟通，家庭冲突有所缓和，学生每周与父亲视频，在校情绪较稳定，作业能按时完成。",
        closing="家庭情况趋于稳定，学生已能适应变化并主动寻求支持。与监护人沟通一致后结案，关爱室继续提供亲情电话服务。",
        brief="家长来电询问孩子近期不爱说话的原因，介绍了亲子沟通的建议，约定有需要时预约面谈。",
    ),
    "adaptation": Script(
        problems=(
            "刚升入新学段，觉得课程太难、节奏太快，想转回原来的学校，每天早上肚子疼不想上学。",
            "开学一个多月仍很想家，晚上在宿舍偷偷哭，吃饭很少。",
        ),
        background="原来在乡镇学校成绩名列前茅，进入本校后排名中等，落差较大。第一次住校。",
        measures_needed="个体辅导（新环境适应），班主任关注，与家长沟通，请校医排除身体原因。",
        goals="两周内能按时到校；建立新的学习方法；交到至少一位新朋友。",
        measures=(
            (K.INDIVIDUAL, "每周一次个体辅导：适应新环境与调整期望", C),
            (K.TUTORING, "学长一对一学习方法指导，每周一次", "高二学生志愿者"),
            (K.OTHER, "班主任安排同桌互助，鼓励参加社团", TEACHER),
        ),
        sessions=(
            (
                "说每天早上一想到上学就肚子疼，校医检查没有发现问题。",
                "解释身体与情绪的联系；一起列出让自己紧张的具体事情。",
                "学生说最怕的是物理课听不懂。",
                "和物理老师约一次答疑。",
            ),
            (
                "答疑后觉得物理没那么可怕了，肚子疼的次数减少。",
                "讨论初中和高中学习方法的差别；安排学长指导。",
                "学生对学长的经验很感兴趣。",
                "按学长的建议整理错题本。",
            ),
            (
                "加入了摄影社，认识了两个新朋友。",
                "肯定积极的尝试；讨论想家时的应对办法。",
                "学生笑着说周末想拍校园的照片。",
                "继续观察，两周后回访。",
            ),
            (
                "最近一个月按时到校，月考成绩有进步。",
                "回顾适应过程，讨论结束辅导。",
                "学生觉得自己“已经习惯了”。",
                "准备结案。",
            ),
        ),
        summary="学生躯体不适明显减少，已能按时到校，通过学长指导调整了学习方法，并加入摄影社结识了新朋友。",
        closing="学生已适应新的学习和住校生活，情绪稳定，成绩有所提升。目标达成，结案后由班主任日常关注。",
        brief="新生来访询问住校生活的注意事项，介绍了关爱室和亲情电话，学生表示放心了许多。",
    ),
    "behaviour": Script(
        problems=(
            "上课经常顶撞老师，最近一周两次和同学推搡，班主任多次谈话效果不好。",
            "沉迷手机游戏，经常熬夜到凌晨，上课睡觉，作业多次不交。",
        ),
        background="父母离异后跟随父亲生活，父亲工作忙，管教方式以打骂为主。",
        measures_needed="个体辅导（情绪调节与行为契约），与班主任、家长共同制定行为约定。",
        goals="一个月内不再发生肢体冲突；与老师有分歧时能先冷静；手机使用每天不超过一小时。",
        measures=(
            (K.INDIVIDUAL, "每周一次个体辅导：愤怒管理与行为契约", C),
            (K.GUARDIAN_MEETING, "与父亲面谈，讨论不打骂的管教方式", C),
            (K.OTHER, "班主任每天记录行为约定完成情况并及时表扬", TEACHER),
        ),
        sessions=(
            (
                "对被叫来心理咨询室有些抵触，说“又不是我先动手”。",
                "不评判地倾听冲突经过；说明辅导的保密原则。",
                "学生态度逐渐放松，愿意下次再来。",
                "记录一周内让自己生气的事情。",
            ),
            (
                "记录了四件生气的事，多数和被批评有关。",
                "识别愤怒的身体信号；练习“停一停、深呼吸、再说话”。",
                "学生说这个办法“可以试试”。",
                "和班主任一起订立行为约定。",
            ),
            (
                "这周一次冲突也没有，被老师表扬了。",
                "强化积极行为；讨论手机使用的约定。",
                "学生同意晚上十点交出手机。",
                "请父亲配合执行手机约定。",
            ),
            (
                "两周内基本遵守约定，有一次差点和同学吵起来但忍住了。",
                "肯定自我控制的进步；讨论怎样长期保持。",
                "学生对自己的改变有些自豪。",
                "继续执行，两周后回顾。",
            ),
        ),
        summary="学生本阶段未再发生肢体冲突，能运用暂停法控制情绪；手机使用时间明显减少。父亲表示会改变管教方式。",
        closing="行为约定执行良好，冲突行为消失，课堂表现改善。与班主任、家长评估后结案，班主任继续以表扬为主的日常管理。",
        brief="班主任来访咨询如何与常顶撞老师的学生沟通，提供了沟通建议，约定需要时转介。",
    ),
    "self_harm": Script(
        problems=(
            "班主任发现学生手臂上有划痕，学生承认最近压力大时会用小刀划手臂。",
            "学生在周记中写到“活着没意思”，班主任第一时间报告了心理中心。",
        ),
        background="学习压力大，与母亲关系紧张。近期与好朋友绝交，感到孤独。",
        measures_needed="立即进行风险评估，通知监护人，建立安全计划，个体辅导，转介专业医疗机构评估。",
        goals="不再出现自伤行为；建立并熟悉安全计划；按医嘱完成专业评估和治疗。",
        measures=(
            (K.INDIVIDUAL, "每周两次个体辅导：情绪调节与安全计划", C),
            (K.GUARDIAN_MEETING, "与监护人面谈，告知情况并共同制定家庭看护措施", D),
            (K.OTHER, "班主任每日关注学生在校情况，发现异常立即报告心理中心", TEACHER),
            (K.HOME_VISIT, "家访一次，了解家庭支持情况", C),
        ),
        sessions=(
            (
                "承认压力大时会划手臂，说这样“能好受一点”，否认有结束生命的计划。",
                "进行风险评估；共同制定安全计划（求助电话、可以找的人、让自己平静的方法）；当天通知监护人。",
                "学生同意遵守安全计划，情绪稍稳定。",
                "次日再次面谈，确认安全计划执行情况。",
            ),
            (
                "这两天没有自伤，晚上难受时给妈妈发了消息。",
                "肯定求助行为；练习替代性的情绪调节方法（握冰块、运动）。",
                "学生说“有人知道了反而轻松些”。",
                "按约定到专科门诊评估。",
            ),
            (
                "已到区精神卫生中心门诊就诊，医生建议定期复诊。",
                "了解就诊感受；讨论复诊安排；与家长确认看护措施。",
                "学生愿意配合复诊。",
                "每周两次面谈，持续关注。",
            ),
            (
                "近两周没有自伤，和新同桌相处不错。",
                "回顾安全计划；讨论压力来临时的应对。",
                "学生情绪明显好转，能主动说出感受。",
                "继续每周面谈，按时复诊。",
            ),
        ),
        summary="本阶段学生未再出现自伤行为，按时到专科门诊复诊，安全计划执行良好；与母亲的关系有所缓和。风险由高降为中，继续密切关注。",
        closing="学生已连续两个月无自伤行为，专科医生评估情况稳定，学生能运用安全计划和替代方法应对压力。经集体研讨同意结案，转为定期回访，班主任继续日常关注。",
    ),
    "life": Script(
        problems=(
            "父亲今年生病住院，家庭收入骤减，学生说想退学打工帮家里。",
            "家中经济困难，天冷了只有一件薄外套，在食堂常常只打一份米饭。",
        ),
        background="家庭经济困难，母亲务农，家中还有两个弟妹。学生成绩中上，懂事要强，不愿让别人知道家里的困难。",
        measures_needed="协助申请助学金和困难补助，生活物资帮助，个体辅导（压力与自尊），与学生科、食堂协调。",
        goals="完成助学金申请；解决冬衣和就餐问题；学生打消退学念头，安心学习。",
        measures=(
            (K.FINANCIAL_AID, "协助申请国家助学金和学校困难补助", AFFAIRS),
            (K.LIFE_ASSISTANCE, "协调食堂发放餐补卡，发放冬衣一套", AFFAIRS),
            (K.INDIVIDUAL, "每两周一次个体辅导：压力与自尊", C),
        ),
        sessions=(
            (
                "谈到家里的困难时一直低着头，担心同学知道后看不起自己。",
                "共情；说明资助政策和保密原则；征得同意后启动申请。",
                "学生同意申请助学金，但请求不要在班里公开。",
                "准备申请材料。",
            ),
            (
                "助学金材料已交，冬衣已领到，食堂餐补卡已开通。",
                "了解生活改善情况；讨论退学的想法。",
                "学生说“先把书读完再说”。",
                "两周后回访。",
            ),
            (
                "父亲出院回家休养，家里情况稍好。学生期中考试进步了。",
                "肯定学生的坚持；讨论照顾家庭与学习的平衡。",
                "学生情绪积极。",
                "继续关注，月底回访。",
            ),
        ),
        summary="助学金和困难补助已获批，冬衣和餐补已落实；学生打消了退学念头，学习状态良好。",
        closing="各项生活帮扶已落实，家庭情况趋于稳定，学生安心学习。与学生科沟通后结案，学生科继续落实资助政策。",
        brief="学生来访询问助学金的申请条件，介绍了申请流程和学生科的联系方式。",
    ),
}
CATEGORY_CODES = [code for code, _label in ProblemCategory.DEFAULTS]

# The outside services of the school's directory (made up; the telephone numbers have 0000).
OUTSIDE_SERVICES = (
    {
        "name": "心桥示范区精神卫生中心 儿童青少年心理门诊",
        "kind": OutsideService.Kind.HOSPITAL,
        "address": "心桥示范区康宁路88号门诊楼三楼",
        "phone": "0571-0000-8120",
        "handles": "儿童青少年情绪障碍、自伤行为的评估与治疗，周一至周六上午门诊。",
    },
    {
        "name": "心桥示范区妇幼保健院 儿童心理科",
        "kind": OutsideService.Kind.CLINIC,
        "address": "心桥示范区和平街12号",
        "phone": "0571-0000-6630",
        "handles": "注意力、睡眠和学习困难的评估，家庭教育指导。",
    },
    {
        "name": "阳光社区青少年服务站",
        "kind": OutsideService.Kind.COMMUNITY,
        "address": "心桥示范区阳光社区服务中心二楼",
        "phone": "0571-0000-2315",
        "handles": "困难家庭帮扶、课后托管、社工家访与亲子活动。",
    },
    {
        "name": "心桥示范区未成年人心理健康辅导中心",
        "kind": OutsideService.Kind.OTHER,
        "address": "心桥示范区文昌路5号",
        "phone": "0571-0000-1212",
        "handles": "心理援助热线、个体和家庭咨询、学校心理危机干预支持。",
    },
)
HOSPITAL, CLINIC, COMMUNITY, DISTRICT_CENTER = (s["name"] for s in OUTSIDE_SERVICES)
# Referral target: (service, reason, outcome once it is back).
REFERRALS = {
    "hospital": (
        HOSPITAL,
        "自伤风险需要专业医疗评估和治疗，学校继续提供心理支持。",
        "已到门诊就诊，医生建议每两周复诊一次，学校继续每周面谈。",
    ),
    "clinic": (
        CLINIC,
        "睡眠和注意力问题持续，需要专业评估，排除身体原因。",
        "已完成评估，医生建议调整作息并继续学校的辅导。",
    ),
    "community": (
        COMMUNITY,
        "家庭经济和照护困难，需要社区社工家访并链接救助资源。",
        "社区社工已家访，为家庭申请了临时救助，并安排弟妹参加课后托管。",
    ),
}

FEEDBACK = (
    "孩子在家话多了，愿意和我们说学校里的事。",
    "最近作息规律了，周末也会主动做作业。",
    "感谢老师们的关心，孩子情绪比以前稳定。",
    "还是有点担心，但比之前好了很多。",
    "",
)
BRIEF_QUESTIONS = (
    "学生课间来访，想了解考前紧张怎么办。",
    "家长来电询问孩子最近不爱说话该怎么沟通。",
    "学生来访询问如何报名团体辅导。",
    "学生来访说和好朋友闹别扭了，想听听建议。",
    "新生询问住校后想家怎么办。",
    "学生询问助学金的申请条件。",
)


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

BROUGHT_BY = {
    CH.WALK_IN: "学生本人",
    CH.APPOINTMENT: "学生本人（预约）",
    CH.LETTER: "心理信箱来信",
    CH.SCREENING: "心理健康普查复核",
    CH.NETWORK_REPORT: "班级心理委员周报",
    CH.DUTY_PHONE: "值班电话",
}


@dataclass
class _Timeline:
    """When each step of one case happens (dates; times are added when they are written)."""

    opened: datetime.date
    assessed: datetime.date | None = None
    conference: datetime.date | None = None
    approved: datetime.date | None = None
    end: datetime.date | None = None  # the last working day: closure requested
    confirmed: datetime.date | None = None
    archived: datetime.date | None = None
    reviews: list[datetime.date] = field(default_factory=list)


# --- the builder ---------------------------------------------------------------------------------------
class _Builder:
    def __init__(self, context: DemoContext | None = None, *, seed: int = SEED) -> None:
        objects = context.objects if context is not None else {}
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        self.school: School = objects.get("school") or School.objects.get(code="demo")
        self.semester: Semester = objects.get("semester") or Semester.objects.get(
            school=self.school, is_current=True
        )
        self.previous: Semester | None = (
            objects.get("previous_semester")
            or Semester.objects.filter(school=self.school, ends_on__lt=self.semester.starts_on)
            .order_by("-ends_on")
            .first()
        )
        accounts = User.objects.filter(
            username__in=[Role.DIRECTOR, Role.COUNSELOR, Role.DUTY, Role.CLASS_TEACHER, AFFAIRS]
        )
        self.accounts = {user.username: user for user in accounts}
        self.director = self.accounts[Role.DIRECTOR]
        self.counselor = self.accounts[Role.COUNSELOR]
        self.duty = self.accounts[Role.DUTY]
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.closed_days: set[datetime.date] = set()
        for semester in self.school.semesters.prefetch_related("holidays"):
            self.closed_days |= holiday_dates(semester)
        self.teachers = self._class_teachers()
        self.used: set[int] = set()

    # --- lookups and dates -----------------------------------------------------------------------
    def _class_teachers(self) -> dict[int, User]:
        posts = RoleAssignment.objects.filter(
            school=self.school, role=Role.CLASS_TEACHER, semester=self.semester
        ).select_related("user")
        return {post.school_class_id: post.user for post in posts}

    def categories(self) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            made = services_intake.categories_ensure_defaults(school=self.school)
        # ``order`` is the position in ProblemCategory.DEFAULTS: the code of each category.
        self.category = {CATEGORY_CODES[c.order]: c for c in made if c.order < len(CATEGORY_CODES)}

    def outside_services(self) -> None:
        self.services = {
            spec["name"]: services_directory.service_save(
                actor=self.director, school=self.school, **spec
            )
            for spec in OUTSIDE_SERVICES
        }

    def students(self, count: int, *, school_class_id: int | None = None) -> list[Student]:
        """``count`` enrolled students not used yet (not the demo accounts), drawn at random."""
        pool = (
            Student.objects.enrolled()
            .filter(school=self.school)
            .exclude(user__username__in=DEMO_STUDENT_ACCOUNTS)
            .exclude(pk__in=self.used)
            .filter(cases__isnull=True)
        )
        if school_class_id is not None:
            pool = pool.filter(school_class_id=school_class_id)
        ids = list(pool.order_by("student_number").values_list("pk", flat=True))
        chosen = self.rng.sample(ids, min(count, len(ids)))
        self.used.update(chosen)
        found = Student.objects.select_related("school_class__grade", "user").in_bulk(chosen)
        return [found[pk] for pk in chosen]

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

    # --- timelines -------------------------------------------------------------------------------
    def timeline(self, spec: Spec) -> _Timeline:
        """The dates of a case; archived ones within the previous semester, others before today."""
        r = self.rng.randint
        if spec.state == A and self.previous is not None:
            first = self.previous.starts_on + datetime.timedelta(days=7)
            span = (self.previous.ends_on - first).days - 50
            opened = self.school_day(first + datetime.timedelta(days=r(0, max(span, 1))))
            latest = self.previous.ends_on - datetime.timedelta(days=3)
        else:
            days_ago = {
                A: (160, 120),
                CL: (110, 60),
                CG: (75, 45),
                AC: (95, 20),
                AS: (20, 6),
                IN: (6, 0),
                BRIEF: (60, 1),
            }[spec.state]
            if spec.overdue_review or spec.plan_versions > 1 or spec.follow_up == "late":
                days_ago = (95, 65)
            opened = self.school_day(
                self.today - datetime.timedelta(days=r(days_ago[1], days_ago[0]))
            )
            latest = self.today
        line = _Timeline(opened=opened)
        if spec.state in (IN, BRIEF):
            return line
        line.assessed = self.plus(opened, 1, 3, latest=latest)
        needs_conference = spec.severity != G or len(spec.categories) > 1
        if needs_conference and not (spec.state == AS and spec.waiting == "conference"):
            line.conference = self.plus(line.assessed, 2, 5, latest=latest)
        if spec.state == AS:
            return line
        line.approved = self.plus(line.conference or line.assessed, 1, 3, latest=latest)
        if spec.state in (A, CL, CG):
            end = line.approved + datetime.timedelta(weeks=r(5, 8))
            end_limit = {A: latest, CL: self.today - datetime.timedelta(days=4)}.get(
                spec.state, self.today - datetime.timedelta(days=1)
            )
            line.end = self.school_day(min(end, end_limit), latest=end_limit)
            if spec.state in (A, CL):
                line.confirmed = self.plus(
                    line.end, 1, 3, latest=end_limit if spec.state == A else self.today
                )
            if spec.state == A:
                line.archived = self.previous.ends_on if self.previous else line.confirmed
        last = line.end or self.today - datetime.timedelta(days=1)
        review = line.approved + datetime.timedelta(weeks=4)
        while review <= last:
            line.reviews.append(self.school_day(review, latest=last))
            review += datetime.timedelta(weeks=4)
        return line

    # --- one case --------------------------------------------------------------------------------
    def case(self, spec: Spec, student: Student, line: _Timeline) -> Case:
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

    def open(self, spec: Spec, student: Student, line: _Timeline, script: Script) -> Case:
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
        self, spec: Spec, case: Case, student: Student, lead: User, line: _Timeline
    ) -> Conference | None:
        needs = spec.severity != G or len(spec.categories) > 1
        if not needs:
            return None
        teacher = self.user_for(TEACHER, student)
        seats = [(lead, "心理教师" if lead != self.director else "心理中心主任")]
        if self.counselor != lead:
            seats.append((self.counselor, "心理教师"))
        if teacher is not None:
            seats.append((teacher, "班主任"))
        if spec.categories[0] in ("life", "behaviour") and AFFAIRS in self.accounts:
            seats.append((self.accounts[AFFAIRS], "学生科"))
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
            agenda="通报需求评估结果；讨论个别帮扶方案和各方分工；商定与监护人沟通的安排。",
            participants=seats,
        )
        if planned:
            return conference
        names = "、".join(dict.fromkeys(u.display_name for u, _label in seats))
        services_plans.conference_record(
            actor=self.director,
            conference=conference,
            attended=[self.director.pk, *(u.pk for u, _label in seats)],
            decisions=(
                f"1. 制定个别帮扶方案，由{lead.display_name}负责个体辅导；"
                "2. 班主任负责日常观察并与心理中心保持沟通；"
                "3. 一周内与监护人面谈，告知帮扶安排；"
                f"4. 四周后复核方案。参会：{names}。"
            ),
            shared_summary=(
                "请班主任每天留意学生的出勤和课堂情绪，发现异常立即告知心理中心；"
                "安排一位同学在学习上结对帮助；不在班内讨论学生的情况。"
            ),
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

    def consents(self, spec: Spec, case: Case, student: Student, line: _Timeline) -> None:
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
            how=self.rng.choice(("家长面谈时签字", "电话确认后补签同意书", "家长会后签字")),
        )
        Consent.objects.filter(pk=consent.pk).update(recorded_at=self.at(line.approved, T(17, 20)))

    def work(
        self,
        spec: Spec,
        case: Case,
        student: Student,
        lead: User,
        plan: SupportPlan,
        line: _Timeline,
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
            problem = "定期面谈：回顾近一周的学习和生活，情况总体稳定。"
            measures, effect, next_step = (
                "倾听，巩固已有的应对方法。",
                "学生状态平稳。",
                "按计划继续面谈。",
            )
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
                change_reason="阶段复核后调整：个体辅导改为每两周一次，增加家长参与的内容。",
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
        self, spec: Spec, case: Case, student: Student, day: datetime.date, line: _Timeline
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
                reason="问题涉及多个方面，需要经验更丰富的老师共同跟进。",
                follow_up_due=max(due, self.today),
                to_counselor=to,
            )
            outcome = "已接手共同跟进，每两周与原心理教师交流一次进展。"
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
                how="家长到校面谈，签署转介知情同意书",
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
                    note=self.rng.choice(
                        (
                            "讲解了本周的错题，学生能独立完成两道同类题。",
                            "复习了函数的基础概念，学生提问比上次积极。",
                            "一起整理了错题本，约定下周检查。",
                        )
                    ),
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
        line: _Timeline,
        script: Script,
        ratings: tuple[int, int, int],
    ) -> None:
        self.evaluation(case, lead, line.end, ratings)
        services_records.case_request_closure(actor=lead, case=case, closing_summary=script.closing)
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

    # --- the whole demo --------------------------------------------------------------------------
    def cases(self) -> list[Case]:
        """Every spec's case, built in the order they were opened (so their numbers are too)."""
        demo_class = self.accounts.get(Role.CLASS_TEACHER)
        demo_class_id = (
            RoleAssignment.objects.filter(
                user=demo_class, role=Role.CLASS_TEACHER, semester=self.semester
            )
            .values_list("school_class_id", flat=True)
            .first()
            if demo_class is not None
            else None
        )
        own_class = iter(self.students(2, school_class_id=demo_class_id) if demo_class_id else [])
        others = iter(self.students(len(SPECS)))
        planned = []
        for spec in SPECS:
            student = next(own_class, None) if spec.from_class_teacher else None
            planned.append((spec, student or next(others), self.timeline(spec)))
        # Three students of last semester's archived cases are back with a new case.
        archived_students = [s for spec, s, _l in planned if spec.state == A][:3]
        for position, (spec, _student, line) in enumerate(planned):
            if spec.state in (AC, AS) and archived_students and position % 4 == 0:
                planned[position] = (spec, archived_students.pop(), line)
        planned.sort(key=lambda item: item[2].opened)
        return [self.case(spec, student, line) for spec, student, line in planned]

    def urgent_intake(self) -> Case | None:
        """Today's urgent visit (rooms demo: the intake turned into an alert) becomes a case the
        director opens at once and holds."""
        from xinqiao.crisis.models import Alert

        alert = (
            Alert.objects.filter(school=self.school, student__isnull=False)
            .select_related("student")
            .order_by("-raised_at")
            .first()
        )
        if alert is None:
            return None
        return services_intake.case_open(
            actor=self.director,
            student=alert.student,
            channel=CH.WALK_IN,
            problem="学生主动来访，情绪非常低落，谈话中流露出伤害自己的念头；已启动危机预警。",
            brought_by="值班教师陪同",
            urgency=Case.Urgency.URGENT,
            source_object=alert,
        )

    def tidy_notifications(self, since_id: int) -> None:
        """Keep only what is still waiting: new intakes, cases to close, conferences to come."""
        waiting = Case.objects.filter(
            school=self.school, state__in=[Case.State.INTAKE, Case.State.CLOSING]
        ).values_list("pk", flat=True)
        keep = {reverse("cases:case_detail", args=[pk]) for pk in waiting}
        coming = Conference.objects.filter(
            case__school=self.school, state=Conference.State.PLANNED
        ).values_list("pk", flat=True)
        keep |= {reverse("cases:conference_share", args=[pk]) for pk in coming}
        made = Notification.objects.filter(pk__gt=since_id)
        # Of what was said about a waiting item, the last word to each person is what waits.
        latest = (
            made.filter(url__in=keep)
            .values("recipient_id", "url")
            .annotate(last=Max("pk"))
            .values_list("last", flat=True)
        )
        made.exclude(pk__in=list(latest)).delete()


def build(context: DemoContext) -> None:
    since = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    builder = _Builder(context)
    builder.categories()
    builder.outside_services()
    made = builder.cases()
    urgent = builder.urgent_intake()
    builder.tidy_notifications(since)
    context.objects.update(cases=[*made, *([urgent] if urgent else [])])


def add_long_followed_student(
    *, cases: int = 10, records: int = 200, seed: int = SEED + 1
) -> Student:
    """A student followed for a long time: ``cases`` cases with ``records`` session records in
    all, for the student-file benchmark (not part of the demo)."""
    builder = _Builder(seed=seed)
    builder.categories()
    if not OutsideService.objects.filter(school=builder.school).exists():
        builder.outside_services()
    else:
        builder.services = {s.name: s for s in OutsideService.objects.filter(school=builder.school)}
    student = builder.students(1)[0]
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    codes = ["learning", "emotion", "relationships", "family", "adaptation", "behaviour", "life"]
    first = builder.today - datetime.timedelta(days=40 * cases)
    for index, count in enumerate(per_case):
        opened = builder.school_day(first + datetime.timedelta(days=40 * index))
        state = CL if index < cases - 2 else (CG if index == cases - 2 else AC)
        spec = Spec(
            state,
            G,
            (codes[index % len(codes)],),
            CH.APPOINTMENT,
            lead=C if index % 3 else D,
            records=count,
        )
        line = _Timeline(opened=opened)
        line.assessed = builder.plus(opened, 1, 2)
        line.approved = builder.plus(line.assessed, 1, 2)
        if state != AC:
            line.end = builder.school_day(
                min(
                    opened + datetime.timedelta(days=35), builder.today - datetime.timedelta(days=2)
                )
            )
            line.confirmed = builder.plus(line.end, 1, 2)
        else:
            line.end = None
        line.reviews = [builder.school_day(line.approved + datetime.timedelta(weeks=4))]
        builder.case(spec, student, line)
    return student
