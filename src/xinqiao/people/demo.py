"""The demo school: 心桥实验学校 of 心桥示范区, made up from a fixed random seed (no outside data).

Six grades of four classes with about fifty students each, their guardians, about ninety staff,
four dormitory buildings for the boarders, family circumstances for about one student in eight,
the leadership group and its three working groups (002), and the work network with every post
filled but two: one class has no committee member and one dormitory no liaison, so that the
network page shows what an empty post looks like.

Every name is drawn from common surnames and given-name characters, and every phone number has
0000 as its middle block: plausible, and plainly not anyone's. The same seed gives the same
school on every run.

One account per role, named after the role's code, is issued with the demo password; these are
people of the roster (``class_teacher`` teaches 七年级1班, ``student`` sits in it, ``guardian``
is his father, ...). Every other roster account stays un-issued (inactive, no usable password),
as after a roster import: the administrator issues accounts later.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinqiao.core.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX, DemoContext
from xinqiao.core.models import User
from xinqiao.core.roles import Role
from xinqiao.people.models import (
    District,
    Dormitory,
    Gender,
    Grade,
    Guardian,
    GuardianLink,
    Holiday,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
    Staff,
    Student,
    StudentCircumstances,
    StudentPlacement,
    WorkGroup,
    WorkGroupMember,
)

SEED = 20260901
SCHOOL_YEAR = 2026  # the current semester is the first term of 2026–2027
GRADES = ((7, "七年级"), (8, "八年级"), (9, "九年级"), (10, "高一"), (11, "高二"), (12, "高三"))
CLASSES_PER_GRADE = 4
CLASS_SIZE = (48, 52)
BOARDING_SHARE = {"junior": 0.35, "senior": 0.45}  # about 40 % in all
CIRCUMSTANCES_SHARE = 0.12
BEDS_PER_ROOM = 8
ROOMS_PER_FLOOR = 6
# Boys and girls, junior (七至九年级) and senior (高中) students, each in a building of their own.
BUILDINGS = {
    (Gender.MALE, "junior"): "1号楼",
    (Gender.MALE, "senior"): "2号楼",
    (Gender.FEMALE, "junior"): "3号楼",
    (Gender.FEMALE, "senior"): "4号楼",
}
CLASS_WITHOUT_COMMITTEE_MEMBER = (11, 3)  # 高二3班: the network page's empty class post
DEMO_CLASS = (7, 1)  # 七年级1班: the class of the demo accounts
SUBJECT_TEACHERS = 42  # besides the posts below: about ninety staff in all

# Names, subjects, circumstance notes, staff posts, holidays, groups: demo_data.json, beside this.
DATA = json.loads(Path(__file__).with_name("demo_data.json").read_text(encoding="utf-8"))
SURNAMES: str = DATA["surnames"]
# Common surnames are drawn more often than rare ones (roughly as they occur).
SURNAME_WEIGHTS = [max(1, 40 - i // 2) for i in range(len(SURNAMES))]
GIVEN: dict[str, str] = DATA["given"]  # given-name characters by gender
PARENT_NAMES = {gender: tuple(names.split()) for gender, names in DATA["parent_names"].items()}
GRANDPARENT_NAMES = {
    gender: tuple(names.split()) for gender, names in DATA["grandparent_names"].items()
}
PHONE_PREFIXES = tuple(
    ["130", "131", "135", "136", "137", "138", "139", "150", "158", "186", "189"]
)
SUBJECTS = tuple(DATA["subjects"].split())

# Family circumstances (003): how often each is the first flag, and a plain note to go with it.
CIRCUMSTANCES = {
    flag: (c["weight"], tuple(c["notes"])) for flag, c in DATA["circumstances"].items()
}

# The demo accounts who are students or guardians: name, gender, boarder (七年级1班, seats 1–3).
DEMO_STUDENTS = {
    1: (Role.STUDENT, "何小明", Gender.MALE, False),
    2: (Role.COMMITTEE_MEMBER, "林小雨", Gender.FEMALE, False),
    3: (Role.DORM_LIAISON, "黄晓东", Gender.MALE, True),
}
DEMO_GUARDIAN_NAME = "何建华"  # the father of 何小明
INSTALLATION_ACCOUNTS = {Role.ADMIN: "王建国", Role.DISTRICT: "区中心马老师"}


@dataclass
class _StaffPlan:
    username: str | None
    name: str | None
    gender: str | None
    job_title: str
    roles: tuple[str, ...] = ()
    part_time_counselor: bool = False


# The school's posts (besides class teachers and grade leaders); a username names a demo account.
STAFF_POSTS = tuple(
    _StaffPlan(**{**post, "roles": tuple(post["roles"])}) for post in DATA["staff_posts"]
)
DEMO_CLASS_TEACHER = ("class_teacher", "孙雅琴", Gender.FEMALE)
DEMO_GRADE_LEADER = ("grade_leader", "周文斌", Gender.MALE)

WORKING_GROUPS = tuple((g["name"], g["remit"]) for g in DATA["working_groups"])


def _day_in(semester: Semester, month: int, day: int) -> datetime.date:
    """The date of ``month``/``day`` that falls within ``semester``."""
    year = semester.starts_on.year if month >= semester.starts_on.month else semester.ends_on.year
    return datetime.date(year, month, day)


@dataclass
class _Family:
    surname: str
    guardians: list[tuple[Guardian, str, bool]] = field(default_factory=list)


class _Builder:
    """Collects unsaved rows, then writes each table with one bulk insert."""

    def __init__(self, context: DemoContext) -> None:
        self.context = context
        self.rng = random.Random(SEED)  # noqa: S311 (made-up data, not secrets)
        # One hash for every demo account (they share the documented password): hashing is
        # the slowest step of the whole build.
        self.password_hash = make_password(DEMO_PASSWORD)
        self.phones: set[str] = set()
        self.users: list[User] = []
        self.accounts: dict[str, User] = {}
        self.students: list[Student] = []
        self.class_of: dict[int, tuple[int, int]] = {}  # id(student) -> (level, class number)
        self.guardians: list[Guardian] = []
        self.links: list[GuardianLink] = []
        self.circumstances: list[StudentCircumstances] = []
        self.placements: list[StudentPlacement] = []
        self.staff: list[Staff] = []
        self.roles: list[RoleAssignment] = []
        self.families: list[_Family] = []

    # --- small makers ------------------------------------------------------------------------
    def surname(self) -> str:
        return self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]

    def child_name(self, surname: str, gender: str) -> str:
        chars = GIVEN[gender]
        length = 1 if self.rng.random() < 0.25 else 2
        return surname + "".join(self.rng.choice(chars) for _ in range(length))

    def adult_name(self, gender: str, surname: str | None = None, *, older: bool = False) -> str:
        pool = (GRANDPARENT_NAMES if older else PARENT_NAMES)[gender]
        return (surname or self.surname()) + self.rng.choice(pool)

    def gender(self) -> str:
        return Gender.MALE if self.rng.random() < 0.52 else Gender.FEMALE

    def phone(self) -> str:
        while True:
            number = f"{self.rng.choice(PHONE_PREFIXES)}0000{self.rng.randrange(10_000):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def user(self, username: str, full_name: str, *, account: str | None = None) -> User:
        """A roster account as ``user_for_roster`` makes it, or the issued demo account."""
        user = User(username=username, full_name=full_name)
        if account:
            user.password, user.is_active = self.password_hash, True
            self.accounts[account] = user
        else:
            user.is_active = False
            user.set_unusable_password()
        self.users.append(user)
        return user

    def role(self, user: User, role: str, **where) -> None:
        where.setdefault("school", self.school)
        self.roles.append(RoleAssignment(user=user, role=role, **where))

    # --- the school ----------------------------------------------------------------------------
    def organisation(self) -> None:
        self.district = District.objects.create(name="心桥示范区", code="demo-district")
        self.school = School.objects.create(
            district=self.district, name="心桥实验学校", code="demo", kind=School.Kind.SECONDARY
        )
        self.previous = Semester.objects.create(
            school=self.school,
            school_year=SCHOOL_YEAR - 1,
            term=Semester.Term.SECOND,
            starts_on=datetime.date(SCHOOL_YEAR, 2, 23),
            ends_on=datetime.date(SCHOOL_YEAR, 7, 10),
        )
        self.semester = Semester.objects.create(
            school=self.school,
            school_year=SCHOOL_YEAR,
            term=Semester.Term.FIRST,
            starts_on=datetime.date(SCHOOL_YEAR, 9, 1),
            ends_on=datetime.date(SCHOOL_YEAR + 1, 1, 20),
            is_current=True,
        )
        semesters = {"previous": self.previous, "current": self.semester}
        Holiday.objects.bulk_create(
            Holiday(
                semester=semesters[holiday["semester"]],
                name=holiday["name"],
                starts_on=_day_in(semesters[holiday["semester"]], *holiday["first"]),
                ends_on=_day_in(semesters[holiday["semester"]], *holiday["last"]),
            )
            for holiday in DATA["holidays"]
        )
        self.grades = {
            level: Grade.objects.create(
                school=self.school, name=name, level=level, is_final=level == GRADES[-1][0]
            )
            for level, name in GRADES
        }
        self.grade_names = dict(GRADES)
        self.classes = {
            (level, number): SchoolClass(
                school=self.school,
                grade=grade,
                number=number,
                # The school runs six years in one track: a class enters 七年级 and moves up.
                cohort_year=SCHOOL_YEAR - (level - GRADES[0][0]),
            )
            for level, grade in self.grades.items()
            for number in range(1, CLASSES_PER_GRADE + 1)
        }
        SchoolClass.objects.bulk_create(self.classes.values())

    # --- students and their families -------------------------------------------------------------
    def roster(self) -> None:
        for (level, number), school_class in self.classes.items():
            section = "junior" if level <= 9 else "senior"
            names_in_class: set[str] = set()
            for seat in range(1, self.rng.randint(*CLASS_SIZE) + 1):
                demo = DEMO_STUDENTS.get(seat) if (level, number) == DEMO_CLASS else None
                self.student(school_class, level, number, seat, section, names_in_class, demo)

    def student(
        self,
        school_class: SchoolClass,
        level: int,
        number: int,
        seat: int,
        section: str,
        names_in_class: set[str],
        demo: tuple[str, str, str, bool] | None,
    ) -> None:
        cohort = school_class.cohort_year
        student_number = f"{cohort}07{number:02d}{seat:02d}"  # year of entry, 七年级, class, seat
        flags = {} if demo else self.flags()
        family = None
        if not demo and not flags and self.families and self.rng.random() < 0.03:
            family = self.rng.choice(self.families)  # a younger or older sibling's family
        if demo:
            account, name, gender, boarding = demo
            surname = name[0]
        else:
            account = None
            gender = self.gender()
            surname = family.surname if family else self.surname()
            name = self.child_name(surname, gender)
            while name in names_in_class:
                name = self.child_name(surname, gender)
            boarding = self.rng.random() < BOARDING_SHARE[section]
        names_in_class.add(name)
        born = datetime.date(cohort - 13, 9, 1) + datetime.timedelta(days=self.rng.randrange(365))
        student = Student(
            school=self.school,
            user=self.user(account or f"s{student_number}", name, account=account),
            name=name,
            gender=gender,
            student_number=student_number,
            birth_date=born,
            school_class=school_class,
            boarding=boarding,
        )
        self.students.append(student)
        self.class_of[id(student)] = (level, number)
        self.role(student.user, Role.STUDENT)
        if family is None:
            family = self.family(surname, flags, demo_father=account == Role.STUDENT)
        for guardian, relation, is_primary in family.guardians:
            self.links.append(
                GuardianLink(
                    guardian=guardian, student=student, relation=relation, is_primary=is_primary
                )
            )
        if flags:
            note = self.rng.choice(CIRCUMSTANCES[next(iter(flags))][1])
            self.circumstances.append(StudentCircumstances(student=student, notes=note, **flags))
        self.placements.append(
            StudentPlacement(
                student=student,
                semester=self.semester,
                school_class=school_class,
                grade_name=self.grade_names[level],
                boarding=boarding,
                status=Student.Status.ENROLLED,
            )
        )
        # Last spring the class was one grade lower; 七年级 and a few newcomers were not here.
        if level > GRADES[0][0] and self.rng.random() > 0.01:
            self.placements.append(
                StudentPlacement(
                    student=student,
                    semester=self.previous,
                    school_class=school_class,
                    grade_name=self.grade_names[level - 1],
                    boarding=boarding,
                    status=Student.Status.ENROLLED,
                )
            )

    def flags(self) -> dict[str, bool]:
        if self.rng.random() >= CIRCUMSTANCES_SHARE:
            return {}
        kinds = list(CIRCUMSTANCES)
        first = self.rng.choices(kinds, weights=[CIRCUMSTANCES[k][0] for k in kinds])[0]
        flags = {first: True}
        if first != "low_income" and self.rng.random() < 0.3:
            flags["low_income"] = True
        return flags

    def family(self, surname: str, flags: dict, *, demo_father: bool = False) -> _Family:
        """The student's guardians (one or two), as their circumstances make plausible."""
        family = _Family(surname)
        rng = self.rng
        if demo_father:
            members = [("father", DEMO_GUARDIAN_NAME, Gender.MALE), ("mother", None, Gender.FEMALE)]
        elif flags.get("orphan"):
            members = [("other", None, None)]
        elif flags.get("left_behind"):
            grandparent = rng.choice((Gender.MALE, Gender.FEMALE))
            members = [("grandparent", None, grandparent)]
            if rng.random() < 0.5:
                members.append(("father", None, Gender.MALE))
        elif flags.get("single_parent"):
            members = [rng.choice((("mother", None, Gender.FEMALE), ("father", None, Gender.MALE)))]
        else:
            members = [("mother", None, Gender.FEMALE), ("father", None, Gender.MALE)]
            rng.shuffle(members)
            if rng.random() < 0.3:
                members = members[:1]
        for index, (relation, name, gender) in enumerate(members):
            gender = gender or self.gender()
            if name is None:
                if relation == "grandparent":
                    same = surname if gender == Gender.MALE else None
                    name = self.adult_name(gender, same, older=True)
                elif relation in ("father", "other") and gender == Gender.MALE:
                    name = self.adult_name(gender, surname)
                else:
                    name = self.adult_name(gender)
            phone = self.phone()
            account = Role.GUARDIAN if name == DEMO_GUARDIAN_NAME and demo_father else None
            user = self.user(account or f"g{phone}", name, account=account)
            user.phone = phone
            guardian = Guardian(
                school=self.school,
                user=user,
                name=name,
                gender=gender,
                phone=phone,
            )
            self.guardians.append(guardian)
            self.role(guardian.user, Role.GUARDIAN)
            family.guardians.append((guardian, relation, index == 0))
        if not flags and not demo_father:
            self.families.append(family)
        return family

    # --- dormitories -----------------------------------------------------------------------------
    def dormitories(self) -> None:
        boarders: dict[str, list[Student]] = defaultdict(list)
        for student in self.students:
            if student.boarding:
                level = self.class_of[id(student)][0]
                section = "junior" if level <= 9 else "senior"
                boarders[BUILDINGS[(student.gender, section)]].append(student)
        self.dorms: list[Dormitory] = []
        self.residents: dict[int, list[Student]] = {}
        for (gender, _section), building in sorted(BUILDINGS.items(), key=lambda kv: kv[1]):
            students = boarders[building]  # in class order: classmates share rooms
            for index in range(0, len(students), BEDS_PER_ROOM):
                number = index // BEDS_PER_ROOM
                floor, door = divmod(number, ROOMS_PER_FLOOR)
                dorm = Dormitory(
                    school=self.school,
                    building=building,
                    room=f"{floor + 1}{door + 1:02d}",
                    gender=gender,
                )
                self.dorms.append(dorm)
                self.residents[id(dorm)] = students[index : index + BEDS_PER_ROOM]
                for student in self.residents[id(dorm)]:
                    student.dormitory = dorm
        for placement in self.placements:
            placement.dormitory = placement.student.dormitory
        Dormitory.objects.bulk_create(self.dorms)

    # --- staff and posts -------------------------------------------------------------------------
    def staff_member(self, plan: _StaffPlan) -> User:
        number = f"{len(self.staff) + 1:04d}"
        gender = plan.gender or self.gender()
        name = plan.name or self.adult_name(gender)
        phone = self.phone()
        user = self.user(plan.username or f"t{number}", name, account=plan.username)
        user.phone = phone
        self.staff.append(
            Staff(
                school=self.school,
                user=user,
                name=name,
                gender=gender,
                staff_number=number,
                phone=phone,
                job_title=plan.job_title,
                part_time_counselor=plan.part_time_counselor,
            )
        )
        for role in plan.roles:
            self.role(user, role)
        return user

    def posts(self) -> None:
        post_users = [self.staff_member(plan) for plan in STAFF_POSTS]
        self.by_title: dict[str, list[User]] = defaultdict(list)
        for plan, user in zip(STAFF_POSTS, post_users, strict=True):
            self.by_title[plan.job_title].append(user)
        first_level = GRADES[0][0]
        self.grade_leaders: dict[int, User] = {}
        for level, grade in self.grades.items():
            username, name, gender = DEMO_GRADE_LEADER if level == first_level else (None,) * 3
            leader = self.staff_member(_StaffPlan(username, name, gender, "年级组长"))
            self.grade_leaders[level] = leader
            self.role(leader, Role.GRADE_LEADER, semester=self.semester, grade=grade)
            self.role(leader, Role.GRADE_LEADER, semester=self.previous, grade=grade)
        self.class_teachers: dict[tuple[int, int], User] = {}
        for key, school_class in self.classes.items():
            username, name, gender = DEMO_CLASS_TEACHER if key == DEMO_CLASS else (None,) * 3
            teacher = self.staff_member(_StaffPlan(username, name, gender, "班主任"))
            self.class_teachers[key] = teacher
            self.role(
                teacher, Role.CLASS_TEACHER, semester=self.semester, school_class=school_class
            )
        subject_teachers = [
            self.staff_member(_StaffPlan(None, None, None, f"{SUBJECTS[i % len(SUBJECTS)]}教师"))
            for i in range(SUBJECT_TEACHERS)
        ]
        # Last spring's class teachers: the same, but for one class whose teacher changed.
        changed = (9, 2)
        for key, school_class in self.classes.items():
            if key[0] == first_level:
                continue  # 七年级 was still in primary school
            teacher = subject_teachers[0] if key == changed else self.class_teachers[key]
            self.role(
                teacher, Role.CLASS_TEACHER, semester=self.previous, school_class=school_class
            )
        admin = self.user("admin", INSTALLATION_ACCOUNTS[Role.ADMIN], account="admin")
        self.role(admin, Role.ADMIN, school=None)
        district = self.user("district", INSTALLATION_ACCOUNTS[Role.DISTRICT], account="district")
        self.role(district, Role.DISTRICT, school=None, district=self.district)

    def student_posts(self) -> None:
        """Committee members (one or two a class) and a liaison in each dormitory, but two."""
        by_class: dict[tuple[int, int], list[Student]] = defaultdict(list)
        for student in self.students:
            by_class[self.class_of[id(student)]].append(student)
        demo_member = self.accounts[Role.COMMITTEE_MEMBER]
        demo_liaison = self.accounts[Role.DORM_LIAISON]
        for key, students in by_class.items():
            if key == CLASS_WITHOUT_COMMITTEE_MEMBER:
                continue
            candidates = [s for s in students if s.user not in (demo_liaison, demo_member)]
            chosen = self.rng.sample(candidates, self.rng.choice((1, 2)))
            if key == DEMO_CLASS:
                chosen = [next(s for s in students if s.user is demo_member), *chosen[:1]]
            for student in chosen:
                self.role(
                    student.user,
                    Role.COMMITTEE_MEMBER,
                    semester=self.semester,
                    school_class=self.classes[key],
                )
        self.dorm_without_liaison = self.dorms[-1]
        for dorm in self.dorms:
            if dorm is self.dorm_without_liaison:
                continue
            residents = self.residents[id(dorm)]
            liaison = next((s for s in residents if s.user is demo_liaison), None)
            liaison = liaison or self.rng.choice(residents)
            self.role(liaison.user, Role.DORM_LIAISON, semester=self.semester, dormitory=dorm)

    def groups(self) -> None:
        """The leadership group and its working groups (002), as the seed sets them up."""
        leadership = WorkGroup.objects.create(
            school=self.school,
            name=DATA["leadership_group"]["name"],
            kind=WorkGroup.Kind.LEADERSHIP,
            remit=DATA["leadership_group"]["remit"],
        )
        accounts = self.accounts
        titles = self.by_title
        leader, deputy, member = (p.value for p in WorkGroupMember.Position)
        members = [
            (leadership, accounts[Role.PRINCIPAL], leader),
            (leadership, accounts[Role.VICE_PRINCIPAL], deputy),
            (leadership, accounts[Role.STUDENT_AFFAIRS], member),
            (leadership, accounts[Role.DIRECTOR], member),
            (leadership, accounts[Role.CLASS_TEACHER], member),
            (leadership, self.class_teachers[(10, 2)], member),
        ]
        course, counseling, outreach = (
            WorkGroup.objects.create(
                school=self.school,
                name=name,
                kind=WorkGroup.Kind.WORKING,
                parent=leadership,
                remit=remit,
            )
            for name, remit in WORKING_GROUPS
        )
        full_time = titles["专职心理教师"]
        part_time = titles["兼职心理教师"][0]
        members += [
            (course, full_time[1], leader),
            (course, part_time, member),
            (course, self.class_teachers[(8, 1)], member),
            (course, self.class_teachers[(10, 1)], member),
            (counseling, accounts[Role.DIRECTOR], leader),
            (counseling, full_time[0], member),
            (counseling, full_time[1], member),
            (counseling, part_time, member),
            (outreach, titles["学生科干事"][0], leader),
            (outreach, self.grade_leaders[7], member),
            (outreach, self.grade_leaders[10], member),
            (outreach, self.class_teachers[(9, 3)], member),
        ]
        WorkGroupMember.objects.bulk_create(
            WorkGroupMember(group=group, user=user, position=position)
            for group, user, position in members
        )

    # --- writing ---------------------------------------------------------------------------------
    def save(self) -> None:
        User.objects.bulk_create(self.users, batch_size=500)
        Student.objects.bulk_create(self.students, batch_size=500)
        Guardian.objects.bulk_create(self.guardians, batch_size=500)
        GuardianLink.objects.bulk_create(self.links, batch_size=500)
        StudentCircumstances.objects.bulk_create(self.circumstances, batch_size=500)
        StudentPlacement.objects.bulk_create(self.placements, batch_size=500)
        Staff.objects.bulk_create(self.staff, batch_size=500)
        RoleAssignment.objects.bulk_create(self.roles, batch_size=500)
        for role in (Role.DIRECTOR, Role.COUNSELOR):
            TOTPDevice.objects.create(
                user=self.accounts[role], name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True
            )

    def publish(self) -> None:
        """What the next app's demo builder may use."""
        objects = self.context.objects
        objects.update(
            district=self.district,
            school=self.school,
            semester=self.semester,
            previous_semester=self.previous,
            grades=list(self.grades.values()),
            classes=list(self.classes.values()),
            dormitories=self.dorms,
            counselors=[*self.by_title["专职心理教师"], *self.by_title["兼职心理教师"]],
            duty_staff=[*self.by_title["值班教师"], *self.by_title["校医（值班）"]],
        )
        for role, user in self.accounts.items():
            objects[f"user:{role}"] = user


def build(context: DemoContext) -> None:
    builder = _Builder(context)
    builder.organisation()
    builder.roster()
    builder.dormitories()
    builder.posts()
    builder.student_posts()
    builder.save()
    builder.groups()
    builder.publish()
