"""The duties of each post of the school's mental-health work network, from the seed documents.

Every sentence is an English msgid; the comment beside it is the Chinese sentence of the seed it
renders, for the translator to use verbatim (000 is in traditional characters; the translation
uses simplified ones). Sources:

- 002_714d38c47455f8e7.txt: the leadership group, the 3- and 4-level network and its levels,
  class teachers, grade (department) leaders, committee members and dormitory liaisons;
- 000_30983550158c36ce.txt: duty staff, counselors and the head of the counseling room;
- 001_3a7bbddc2acc9a91.txt: counseling (psychological guidance) teachers;
- 003_1432a79584ca9547.txt: the supervision group (care room rules).

Roles that no seed describes (administrator, student, guardian, district) say what DESIGN.md
gives them; their comments say so.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import Role

POST_DUTIES: dict[str, list[Promise]] = {
    # 002: 领导小组组长 and 3.1.1 校长; the second 校长 list ("核心团队成员及职责").
    Role.PRINCIPAL: [
        # 领导小组组长:由学校校长或教育机构负责人担任,全面负责心理健康教育工作领导小组的工作。
        _(
            "Heads the mental-health education leadership group and is fully responsible for its work."
        ),
        # 负责学校心理健康教育的全面领导和工作规划
        _("Leads the school's mental-health education as a whole and plans the work."),
        # 审批心理健康教育的重要方案和政策
        _("Approves the important programmes and policies of mental-health education."),
        # 协调各部门的资源,为心理健康教育提供支持
        _("Coordinates the resources of every department in support of mental-health education."),
        # 确保学校将心理健康教育纳入学校发展规划,并提供必要的资源和支持。
        _(
            "Makes mental-health education part of the school's development plan and provides "
            "the resources and support it needs."
        ),
        # 监督和评估心理健康教育的实施效果,对其进行绩效评估。
        _("Supervises and evaluates the effect of the mental-health education carried out."),
        # 指定心理健康教育主任,并给予其相应的权力和责任。
        _(
            "Appoints the person in charge of mental-health education and gives them the "
            "matching authority and responsibility."
        ),
    ],
    # 002: 副组长 and 3.1.2 分管副校长.
    Role.VICE_PRINCIPAL: [
        # 副组长:由学校分管德育工作的副校长或教育机构分管领导担任,协助组长开展工作。
        _("Serves as deputy head of the leadership group and assists the head in the work."),
        # 协助校长进行心理健康教育的全面领导
        _("Assists the principal in leading mental-health education as a whole."),
        # 监督和检查心理健康教育政策的执行情况
        _("Supervises and checks how the mental-health education policies are carried out."),
        # 定期召开心理健康教育领导小组会议
        _("Convenes the meetings of the mental-health education leadership group regularly."),
    ],
    # 002: 3.1.4 and 3.2.1 心理辅导中心主任; 000: 心理咨詢室負責人; 001: 心理辅导室负责人.
    Role.DIRECTOR: [
        # 组织实施心理健康教育计划
        _("Organises and carries out the mental-health education plan."),
        # 负责心理辅导中心的日常管理工作 / 负责心理辅导中心的整体工作
        _("Runs the counseling center, its daily management and its work as a whole."),
        # 组织心理健康教育课程和活动
        _("Organises the mental-health lessons and activities."),
        # 指导专兼职心理教师开展心理健康教育
        _("Guides the full-time and part-time counselors in their work."),
        # 定期向领导小组汇报工作进展
        _("Reports the progress of the work to the leadership group regularly."),
        # 000: 當日值班人員有特殊情況需要請假,必須以電話或當面請假的方式,向心理咨詢室負責人提出請假申請,批準后方可請假。
        _("Decides on the leave requests of duty staff, made by phone or in person."),
        # 000: 未經負責人同意,值班人員嚴禁隨意翻閱心理咨詢室存放的材料和文件。
        _("Decides who may read the materials and files kept in the counseling room."),
        # 000: 工作無失誤,表現良好者,在學校各項評獎評優活動中,由本人提出申請,心理咨詢室負責人可以向相關部門反映并推薦。
        _(
            "May recommend duty staff who work well and without error for the school's awards, "
            "at their request."
        ),
        # 001: 心理辅导室负责人负责制订心理辅导室具体工作章程,并能根据学校的发展需要及时作相应的修订。
        _(
            "Draws up the counseling room's working rules and revises them as the school's "
            "needs change."
        ),
    ],
    # 000: 心理咨詢人員工作職責, 心理教師工作職責, 心理咨詢師崗位職責;
    # 001: 心理辅导教师职责 1, 3 and the second 4; 002: 一级工作职责.
    Role.COUNSELOR: [
        # 002: 上好学校安排的心理健康教育课程,做好学生心理健康普查工作。
        _(
            "Teaches the mental-health lessons the school schedules and carries out the "
            "students' mental-health survey."
        ),
        # 001: 定期开放心理辅导室,热情接待学生、家长的来访咨询,做好学生、家长信函咨询的回复工作并及时存档。
        _(
            "Opens the counseling room at regular times, receives students and parents warmly, "
            "answers their letters and files them in time."
        ),
        # 000: 心理咨詢信件每周處理一次,并及時組織專業人員進行研討。
        _("Deals with the counseling letters once a week and discusses them with colleagues."),
        # 001: 接受老师、学生及其家长的心理咨询,并及时登记、分类,总结出带有普遍性的问题,形成心理咨询的典型案例。
        _(
            "Registers and classifies every consultation in time and draws the common problems "
            "and typical cases from them."
        ),
        # 001: 负责建立学生心理辅导"一人一档案"制度,建立学生生涯档案,定期开展测试评估,并对需要关注的学生做及时跟踪与介入辅导。
        _(
            "Keeps one file for every student, assesses regularly and follows up in time the "
            "students who need attention."
        ),
        # 000: 對學生的有關資料、案例予以保密,單獨保管,不列入學校其他檔案
        _(
            "Keeps students' records and cases confidential, stored on their own and never "
            "filed with other school records."
        ),
        # 000: 由於專業工作需要採用案例,必須徵得當事人同意并以不損害來訪者個人權益為前提。
        _(
            "Uses a case for professional work only with the person's consent and to no harm of theirs."
        ),
        # 000: 在研究和寫作中需要引用學生的資料時,必須隱去可能辨認出來訪學生的有關信息
        _(
            "Removes whatever could identify a student before quoting their records in research or writing."
        ),
        # 000: 如發現來訪者有危害其自身和他人及社會安全的情況,應果斷報告有關部門採取必要的措施,防止意外事件發生。
        _(
            "Reports at once when a student endangers themself, others or public safety, so "
            "that the necessary measures are taken."
        ),
        # 000: 必須向有關人員提供學生心理咨詢資料時,要向能負責、能保密和有權力、有能力解決相應問題的人員提供
        _(
            "When records must be shared to protect a student, shares them only with people "
            "who are responsible, keep them confidential and can solve the problem."
        ),
        # 000: 必須遵守中國心理學會心理測量專業委員會頒布的心理測驗工作者道德準則,按心理測驗的規範進行,不濫用心理測驗,科學、客觀地使用測驗結果。
        _(
            "Uses psychological tests by the professional code of ethics, never misuses them and "
            "reads their results scientifically and objectively."
        ),
        # 000: 對超出自己專業能力的個案,應及時提供轉介服務。
        _("Refers in time every case beyond their competence to a suitable professional."),
        # 001: 经常与班主任、家长等有关人员取得联系,共同做好学生心理辅导工作。
        _("Keeps in touch with class teachers and parents to support students together."),
        # 001: 组织对班主任的心理健康教育培训活动,为班主任提供必要的相关资料,协助班主任上好心理健康辅导课。
        _(
            "Trains class teachers in mental-health education, gives them the materials they "
            "need and helps them teach the mental-health lessons."
        ),
        # 001: 健全和妥善保存心理咨询室的所有档案,必须有档案的目录清单,一旦有需要必须在最快的时间里将资料调出。
        _(
            "Keeps every file of the counseling room with a catalogue, so that any record can be "
            "found at once when needed."
        ),
        # 000: 心理教師按時制定工作計劃,及時總結工作,材料存檔保存。
        _("Makes the work plan on time, sums up the work in time and files the materials."),
        # 000: 不得與來訪學生及其家長建立心理咨詢和教育關係以外的任何其他關係,不得收受學生及其家長任何物質報酬和饋贈。
        _(
            "Keeps to a purely professional relationship with students and their families and "
            "accepts no payment or gift from them."
        ),
    ],
    # 000: 心理咨詢室值班人員工作制度.
    Role.DUTY: [
        # 值班人員在規定值班時間內必須到崗,耐心接聽同學的來電,并做好面談預約登記和當日的值班記錄。
        _(
            "Is at the post for the whole duty time, answers students' calls patiently, "
            "registers appointments for face-to-face talks and keeps the day's duty log."
        ),
        # 當日值班人員有特殊情況需要請假,必須以電話或當面請假的方式,向心理咨詢室負責人提出請假申請,批準后方可請假。
        _(
            "Asks the head of the counseling room for leave by phone or in person, and is away "
            "only once it is approved."
        ),
        # 嚴格遵守保密原則,保密內容涉及心理咨詢室相關所有工作內容。
        _("Keeps strictly to confidentiality, which covers all the work of the counseling room."),
        # 未經負責人同意,值班人員嚴禁隨意翻閱心理咨詢室存放的材料和文件。
        _(
            "Never reads the materials and files kept in the counseling room without the head's approval."
        ),
        # 心理咨詢室除工作人員外,一般不允許無咨詢要求的學生或其他人員進入。
        _("Lets nobody into the counseling room but its staff and people who come for counseling."),
        # 嚴格遵守計算機使用制度。
        _("Keeps strictly to the rules for using the computers."),
        # 值班人員在遵守值班制度的前提下,有使用心理咨詢室各種資源的權利。
        _("Within the duty rules, may use all the resources of the counseling room."),
    ],
    # 002: 班主任代表 (3.1.5), 辅导员、班主任 (3.2.3), 班主任 (核心团队成员), 班级级网络.
    Role.CLASS_TEACHER: [
        # 关注学生的心理健康状况,发现问题及时报告并协助解决
        _("Watches the students' mental health, reports problems at once and helps to solve them."),
        # 组织班级心理健康教育活动,培养良好的班级氛围。
        _("Organises the class's mental-health activities and builds a good class atmosphere."),
        # 组织学生参加心理健康教育课程和活动
        _("Brings the students to the mental-health lessons and activities."),
        # 协助心理辅导中心进行心理健康教育宣传和推广
        _("Helps the counseling center to publicise mental-health education."),
        # 在校级和系(院)级的指导下,班主任和心理健康工作志愿者要制定明确的目标和计划,有针对性地开展班级心理建设工作
        _(
            "With the class's mental-health volunteers and under the school's and the grade's "
            "guidance, sets clear goals and a plan for the class's mental-health work."
        ),
        # 通过开展班会、主题教育活动等形式,增强班级集体意识和凝聚力,培养学生积极向上的心态和良好的人际关系。
        _(
            "Holds class meetings and themed activities that build the class's cohesion, a "
            "positive outlook and good relationships."
        ),
    ],
    # 002: 院系层面 (四级联动), 二级工作职责, 系(院)级网络.
    Role.GRADE_LEADER: [
        # 落实学校心理健康教育工作计划,组织开展本单位的心理健康教育活动,配合学校开展心理健康教育。
        _(
            "Carries out the school's mental-health work plan in the grade or department, "
            "organises its own activities and works with the school."
        ),
        # 负责整理各班心理健康信息……掌握本班学生心理健康状况,并向本校心理健康部做定期汇报。
        _(
            "Gathers the mental-health information of every class and reports to the school's "
            "mental-health department regularly."
        ),
        # 积及时掌握同学心理状况,特殊问题及时向学校汇报。
        _(
            "Keeps up with the students' state of mind and reports special problems to the school at once."
        ),
        # 系(院)级心理健康工作网络还需要培训和指导班级心理健康工作志愿者。
        _("Trains and guides the classes' mental-health volunteers."),
        # 院系层面:定期对心理健康教育工作进行评估,对存在问题及时整改,并向学校反馈。
        _(
            "Evaluates the grade's mental-health work regularly, corrects problems in time and "
            "reports back to the school."
        ),
    ],
    # 002: 3.1.3 学生科长.
    Role.STUDENT_AFFAIRS: [
        # 配合心理辅导中心做好学生心理健康教育工作
        _("Works with the counseling center on the students' mental-health education."),
        # 组织学生参与心理健康教育活动
        _("Organises the students' part in mental-health activities."),
        # 协调学生事务,为学生提供支持
        _("Coordinates student affairs to support the students."),
    ],
    # 003: 監督機制 (关爱室工作监督小组); DESIGN.md: never the confidential content.
    Role.SUPERVISOR: [
        # 003: 學校成立關愛室工作監督小組,由學校領導、教師代表、家長代表等組成,定期對關愛室工作進行檢查和監督。
        _("Inspects and supervises the work of the care room regularly."),
        # 003: 監督小組通過查閱工作記錄、檔案資料,走訪學生、教師、家長等方式,了解關愛室工作開展情況,發現問題及時督促整改。
        _(
            "Checks that work records and files exist, visits students, teachers and parents, "
            "and urges the correction of any problem found."
        ),
        # Not from a seed (DESIGN.md principle 1): 只检查记录是否齐全,不阅读其保密内容。
        _("Checks that records are complete, never their confidential content."),
    ],
    # 002: 班级层面 (四级联动); 学生代表.
    Role.COMMITTEE_MEMBER: [
        # 各班级设立心理委员,负责本班级学生的心理健康状况摸排和日常心理辅导。
        _(
            "Finds out how the students of the class are doing and gives everyday peer support "
            "in the class."
        ),
        # 开展心理健康教育宣传活动,关注学生心理状况,及时发现心理问题,及时上报。
        _(
            "Spreads mental-health knowledge in the class, watches classmates' state of mind, "
            "notices problems early and reports them at once."
        ),
        # 学生代表:负责收集同学们的心理状况信息,反馈给心理教育指导老师。
        _("Collects how classmates are doing and passes it on to the counselor."),
        # 班级层面:定期对心理委员和宿舍心理联络员进行培训,提高其心理健康教育工作能力。
        _("Takes part in the regular training of committee members."),
    ],
    # 002: 宿舍层面 (四级联动).
    Role.DORM_LIAISON: [
        # 各宿舍设立宿舍心理联络员,负责本宿舍学生的心理健康状况摸排和日常心理辅导。
        _(
            "Finds out how the students of the dormitory are doing and gives everyday peer "
            "support there."
        ),
        # 关注宿舍内学生的心理状况,开展心理辅导,及时发现心理问题,及时上报。
        _(
            "Watches the state of mind of dormitory mates, notices problems early and reports "
            "them at once."
        ),
        # 宿舍层面:定期对宿舍心理联络员进行培训,提高其心理健康教育工作能力。
        _("Takes part in the regular training of dormitory liaisons."),
    ],
    # Not a post in the seeds: what a student may rely on (000: 咨詢人員工作職責 3, 4, 6).
    Role.STUDENT: [
        # 000: 尊重學生自願接受服務的權利。
        _("You may come for counseling of your own free will."),
        # 000: 通常情況下,不得向學校其他人員及家長透露學生的秘密
        _(
            "What you tell a counselor is kept confidential, unless your safety or someone "
            "else's is at risk."
        ),
        # Not from a seed (DESIGN.md): 预约咨询、写信(可以匿名)、填写问卷、查看自己的预约和回信。
        _(
            "Book appointments, write letters (with your name or without), fill in "
            "questionnaires and see your bookings and replies."
        ),
    ],
    # 002: 家长代表; 001: 家长学校. Not a post: what the school asks of families.
    Role.GUARDIAN: [
        # 002: 家长代表应参与到学校的心理健康教育工作中,促进学校与家庭之间的密切合作,共同关注学生的心理健康。
        _("Work closely with the school and watch your child's mental health together."),
        # 002: 组织家长讲座、家庭教育培训,提高家长心理健康素养。
        _("Join the parent lectures and family-education training the school holds."),
        # Not from a seed (DESIGN.md): 反映对孩子的担忧,查看发给您的邀请和通知。
        _("Raise a concern about your child and see the invitations and notices for you."),
    ],
    # Not from a seed (DESIGN.md): the installation's administrator.
    Role.ADMIN: [
        # 负责系统运行:学校、账号、导入、备份。
        _("Runs the installation: schools, accounts, imports and backups."),
        # 不接触任何心理辅导内容。
        _("Has no access to counseling content."),
    ],
    # 001: 按照区心理辅导中心的计划要求; DESIGN.md: de-identified figures.
    Role.DISTRICT: [
        # 001: 能按照区心理辅导中心的计划要求做好学校心理教育辅导、咨询工作
        _("Sets the plans and requirements that the schools' counseling work follows."),
        # Not from a seed (DESIGN.md): 查看各校去标识化的统计数据,组织全区活动和计划。
        _("Sees de-identified figures across schools and runs district campaigns and plans."),
    ],
}

# 002: 三、心理健康教育工作领导小组工作职责 (the group as a whole).
LEADERSHIP_GROUP_DUTIES: list[Promise] = [
    # 根据国家、地方心理健康教育政策和要求,结合学校实际情况,制定心理健康教育工作规划。
    _("Draws up the school's mental-health education plan from national and local policy."),
    # 组织实施心理健康教育课程
    _("Organises the mental-health education lessons."),
    # 设立心理咨询室,为师生提供心理咨询与辅导服务。
    _("Provides a counseling room and counseling for students and staff."),
    # 建立心理健康档案,定期对师生进行心理健康评估。
    _("Keeps mental-health files and assesses students and staff regularly."),
    # 选拔、培养心理健康教育专兼职教师,提高心理健康教育队伍整体素质。
    _("Selects and trains the full-time and part-time mental-health teachers."),
]

# 002: 二、组织架构 (positions within a group).
GROUP_POSITION_DUTIES: dict[str, list[Promise]] = {
    "leader": [
        # 领导小组组长:由学校校长或教育机构负责人担任,全面负责心理健康教育工作领导小组的工作。
        _("Is fully responsible for the work of the group."),
    ],
    "deputy": [
        # 副组长:……协助组长开展工作。
        _("Assists the head in the work of the group."),
    ],
    "member": [
        # 成员:由学校心理健康教育教师、班主任、辅导员、心理健康教育研究人员、学生代表等组成。
        _("Takes part in the work of the group in their own field."),
    ],
}

# 002: 4. 工作小组:根据工作需要,设立心理健康教育课程开发小组、心理咨询与辅导小组、心理健康教育宣传与培训小组等。
SUGGESTED_WORKING_GROUPS: list[Promise] = [
    # 心理健康教育课程开发小组
    _("Mental-health curriculum development group"),
    # 心理咨询与辅导小组
    _("Counseling and guidance group"),
    # 心理健康教育宣传与培训小组
    _("Mental-health publicity and training group"),
]

# 002: 四级联动体系 / 工作职责 / 评估与反馈 (what each level of the network does).
LEVEL_DUTIES: dict[str, list[Promise]] = {
    "school": [
        # 学校层面:成立心理健康教育工作领导小组,负责统筹协调全校心理健康教育工作。
        _("The leadership group coordinates the mental-health work of the whole school."),
        # 学校层面:制定心理健康教育工作计划,组织开展心理健康教育活动,协调各部门开展心理健康教育。
        _("Makes the work plan, organises the activities and coordinates the departments."),
        # 学校层面:定期对心理健康教育工作进行评估,对存在问题及时整改。
        _("Evaluates the work regularly and corrects problems in time."),
    ],
    "grade": [
        # 院系层面:落实学校心理健康教育工作计划,组织开展本单位的心理健康教育活动,配合学校开展心理健康教育。
        _("Carries out the school's plan and organises the grade's own activities."),
        # 院系层面:定期对心理健康教育工作进行评估,对存在问题及时整改,并向学校反馈。
        _("Evaluates its work regularly, corrects problems and reports back to the school."),
    ],
    "class": [
        # 班级层面:开展心理健康教育宣传活动,关注学生心理状况,及时发现心理问题,及时上报。
        _(
            "Spreads mental-health knowledge, watches the students, notices problems and reports them at once."
        ),
        # 班级层面:定期对心理委员和宿舍心理联络员进行培训
        _("Committee members are trained regularly."),
    ],
    "dormitory": [
        # 宿舍层面:关注宿舍内学生的心理状况,开展心理辅导,及时发现心理问题,及时上报。
        _("Watches the students of the dormitory, notices problems and reports them at once."),
        # 宿舍层面:定期对宿舍心理联络员进行培训,提高其心理健康教育工作能力。
        _("Dormitory liaisons are trained regularly."),
    ],
}


def duties_of(role: str) -> list[Promise]:
    """The duty sentences of ``role`` (an empty list for an unknown code)."""
    return POST_DUTIES.get(role, [])
