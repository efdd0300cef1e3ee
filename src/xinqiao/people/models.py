"""The school's organisation: district, schools, semesters, grades, classes, dormitories, people.

Every person who may ever sign in has a ``core.User`` (inactive and without a usable password
until the administrator issues the account); the roster records (Student, Guardian, Staff) hold
what the school knows about them. Roles are held per school and, for posts such as a class
teacher's, per semester and unit (class, grade or dormitory).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinqiao.core.access import ProtectedModel, ProtectedQuerySet
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import INSTALLATION_ROLES, Role
from xinqiao.core.tenancy import SchoolScopedModel, SchoolScopedQuerySet


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class District(models.Model):
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


def organisation_q(user) -> Q:
    """Rows of the schools ``user`` sees: calendars, grades, dormitories, staff, groups."""
    return Q(school__in=School.objects.for_user(user).values("pk"))


class School(ProtectedModel):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        SECONDARY = "secondary", _("Secondary school")
        VOCATIONAL = "vocational", _("School with departments and dormitories")

    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Schools where the user holds a role; every school for admins, the district's for it."""
        if user.has_role(Role.ADMIN):
            return Q()
        district_ids = user.district_ids if user.has_role(Role.DISTRICT) else []
        return Q(pk__in=user.school_ids) | Q(district_id__in=district_ids)

    def __str__(self) -> str:
        return self.name

    @property
    def current_semester(self) -> Semester | None:
        return self.semesters.filter(is_current=True).first()


class Semester(SchoolScopedModel):
    """A term of the school year as Chinese schools count it (第一学期 from autumn)."""

    class Term(models.IntegerChoices):
        FIRST = 1, _("first term")
        SECOND = 2, _("second term")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="semesters", verbose_name=_("school")
    )
    school_year = models.PositiveSmallIntegerField(_("school year (starting year)"))
    term = models.PositiveSmallIntegerField(_("term"), choices=Term.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["-school_year", "-term"]
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "term"], name="people_semester_once"
            ),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_current=True), name="people_one_current_semester"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="people_semester_dates"
            ),
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: the schools the user sees (admins all, a district its own)."""
        return organisation_q(user)

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _("%(start)s–%(end)s school year, %(term)s") % {
            "start": self.school_year,
            "end": self.school_year + 1,
            "term": self.get_term_display(),
        }

    @property
    def first_monday(self) -> datetime.date:
        return self.starts_on - datetime.timedelta(days=self.starts_on.weekday())

    def week_of(self, day: datetime.date) -> int | None:
        """Teaching week number (第N周): week 1 is the week holding the first day."""
        if not (self.starts_on <= day <= self.ends_on):
            return None
        return (day - self.first_monday).days // 7 + 1

    @property
    def week_count(self) -> int:
        return self.week_of(self.ends_on) or 0

    def week_dates(self, week: int) -> tuple[datetime.date, datetime.date]:
        monday = self.first_monday + datetime.timedelta(weeks=week - 1)
        return monday, monday + datetime.timedelta(days=6)

    def is_holiday(self, day: datetime.date) -> bool:
        return any(h.starts_on <= day <= h.ends_on for h in self.holidays.all())


class Holiday(models.Model):
    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(_("name"), max_length=50)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return self.name


class Grade(SchoolScopedModel):
    """A grade (年级) or, in schools organised so, a department (院系)."""

    class Kind(models.TextChoices):
        GRADE = "grade", _("grade")
        DEPARTMENT = "department", _("department")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GRADE)
    # Order of promotion: students move from level n to n + 1; the last level graduates.
    level = models.PositiveSmallIntegerField(_("level"))
    is_final = models.BooleanField(_("graduating grade"), default=False)

    class Meta:
        ordering = ["school", "level"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="people_grade_name_once"),
            models.UniqueConstraint(fields=["school", "level"], name="people_grade_level_once"),
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: the schools the user sees (admins all, a district its own)."""
        return organisation_q(user)

    def __str__(self) -> str:
        return self.name


class SchoolClass(SchoolScopedModel):
    """A class (班级). It keeps its identity (cohort and number) as it moves up the grades."""

    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, related_name="classes", verbose_name=_("grade")
    )
    number = models.PositiveSmallIntegerField(_("class number"))
    cohort_year = models.PositiveSmallIntegerField(_("year of entry"))
    graduated = models.BooleanField(_("graduated"), default=False)

    class Meta:
        ordering = ["grade__level", "number"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "cohort_year", "number"], name="people_class_once_per_cohort"
            ),
            models.UniqueConstraint(
                fields=["grade", "number"],
                condition=Q(graduated=False),
                name="people_class_number_once_per_grade",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def visibility_q(cls, user) -> Q:
        from xinqiao.people.selectors import class_visibility_q

        return class_visibility_q(user)

    @property
    def name(self) -> str:
        return _("%(grade)s class %(number)s") % {"grade": self.grade.name, "number": self.number}


class Dormitory(SchoolScopedModel):
    building = models.CharField(_("building"), max_length=50)
    room = models.CharField(_("room"), max_length=20)
    gender = models.CharField(_("for"), max_length=1, choices=Gender.choices, blank=True)

    class Meta:
        ordering = ["building", "room"]
        verbose_name = _("dormitory")
        verbose_name_plural = _("dormitories")
        constraints = [
            models.UniqueConstraint(fields=["school", "building", "room"], name="people_dorm_once")
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: the schools the user sees (admins all, a district its own)."""
        return organisation_q(user)

    def __str__(self) -> str:
        return f"{self.building} {self.room}"


class Person(SchoolScopedModel):
    """Common fields of the roster's people; ``user`` is their (perhaps not yet issued) account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="%(class)s_record"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class StudentQuerySet(SchoolScopedQuerySet):
    def enrolled(self):
        return self.filter(status=Student.Status.ENROLLED)


class Student(Person):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        GRADUATED = "graduated", _("graduated")
        LEFT = "left", _("left the school")

    student_number = models.CharField(_("student number"), max_length=30)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ENROLLED
    )
    school_class = models.ForeignKey(
        SchoolClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("class"),
    )
    dormitory = models.ForeignKey(
        Dormitory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="students",
        verbose_name=_("dormitory"),
    )
    boarding = models.BooleanField(_("boarder"), default=False)

    objects = StudentQuerySet.as_manager()

    @classmethod
    def visibility_q(cls, user) -> Q:
        from xinqiao.people.selectors import student_visibility_q

        return student_visibility_q(user)

    class Meta:
        ordering = ["student_number"]
        verbose_name = _("student")
        verbose_name_plural = _("students")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"], name="people_student_number_once"
            )
        ]


class StudentCircumstances(ProtectedModel):
    """Family circumstances the care-room rules name (003): sensitive, counseling side only.

    Kept apart from Student so that no general student list, search or export can reach them;
    every read goes through ``people.view_student_circumstances`` and the access log.
    """

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="circumstances", primary_key=True
    )
    left_behind = models.BooleanField(_("left-behind child"), default=False)
    single_parent = models.BooleanField(_("single-parent family"), default=False)
    low_income = models.BooleanField(_("family in financial difficulty"), default=False)
    disability = models.BooleanField(_("disability"), default=False)
    migrant = models.BooleanField(_("child of migrant workers"), default=False)
    orphan = models.BooleanField(_("orphan or without guardianship"), default=False)
    notes = EncryptedTextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    FLAG_FIELDS = ("left_behind", "single_parent", "low_income", "disability", "migrant", "orphan")

    class Meta:
        verbose_name = _("family circumstances")
        verbose_name_plural = _("family circumstances")

    confidential = True

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director of the student's school and the counselors of the student's cases
        (DESIGN principle 1); not every counselor of the school."""
        from xinqiao.people.care import students_counseled_by

        visible = Q(student__school_id__in=user.school_ids_with(Role.DIRECTOR))
        counselor_schools = user.school_ids_with(Role.COUNSELOR)
        for counseled in students_counseled_by(user.pk):
            visible |= Q(student_id__in=counseled, student__school_id__in=counselor_schools)
        return visible

    def __str__(self) -> str:
        return str(self.student)

    @property
    def flags(self) -> list[tuple[str, str]]:
        """(field name, label) of each flag that is set."""
        return [
            (name, str(self._meta.get_field(name).verbose_name))
            for name in self.FLAG_FIELDS
            if getattr(self, name)
        ]


class StudentPlacement(models.Model):
    """Where a student was in a semester: the history that survives promotions."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="placements")
    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, related_name="placements")
    school_class = models.ForeignKey(
        SchoolClass, null=True, on_delete=models.PROTECT, related_name="placements"
    )
    grade_name = models.CharField(max_length=50)  # as it was called that semester
    dormitory = models.ForeignKey(Dormitory, null=True, blank=True, on_delete=models.SET_NULL)
    boarding = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Student.Status.choices)

    class Meta:
        verbose_name = _("student placement")
        verbose_name_plural = _("student placements")
        ordering = ["semester__school_year", "semester__term"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "semester"], name="people_placement_once_per_semester"
            )
        ]


class Guardian(Person):
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("email"), blank=True)
    students = models.ManyToManyField(Student, through="GuardianLink", related_name="guardians")

    class Meta:
        ordering = ["name"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.UniqueConstraint(fields=["school", "phone"], name="people_guardian_phone_once")
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: the schools the user sees (admins all, a district its own)."""
        return organisation_q(user)


class GuardianLink(models.Model):
    class Relation(models.TextChoices):
        FATHER = "father", _("father")
        MOTHER = "mother", _("mother")
        GRANDPARENT = "grandparent", _("grandparent")
        OTHER = "other", _("other guardian")

    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="links")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    is_primary = models.BooleanField(_("first contact"), default=False)

    class Meta:
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="people_guardian_once")
        ]


class Staff(Person):
    staff_number = models.CharField(_("staff number"), max_length=30)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    job_title = models.CharField(_("post"), max_length=50, blank=True)
    part_time_counselor = models.BooleanField(_("part-time counselor"), default=False)
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["staff_number"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(fields=["school", "staff_number"], name="people_staff_once")
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: the schools the user sees (admins all, a district its own)."""
        return organisation_q(user)


class RoleAssignmentQuerySet(ProtectedQuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Standing roles, and posts of the school's current semester."""
        return self.filter(Q(semester__isnull=True) | Q(semester__is_current=True))


class RoleAssignment(ProtectedModel):
    """A role held by a person in a school; a post may be tied to a semester and a unit.

    Installation roles (admin, district) have no school. A class teacher's post names the
    class, a grade leader's the grade, a dormitory liaison's the dormitory.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("school")
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("district")
    )
    semester = models.ForeignKey(
        Semester, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("semester")
    )
    grade = models.ForeignKey(
        Grade, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("grade")
    )
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("class")
    )
    dormitory = models.ForeignKey(
        Dormitory, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("dormitory")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school", "semester", "grade", "school_class", "dormitory"],
                name="people_role_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(role__in=sorted(INSTALLATION_ROLES)) | Q(school__isnull=False),
                name="people_role_school_bound",
            ),
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Who holds which post is no secret among a school's members; one's own roles too."""
        return organisation_q(user) | Q(user_id=user.pk)

    def __str__(self) -> str:
        unit = self.school_class or self.grade or self.dormitory or self.school or "—"
        return f"{self.user} · {self.get_role_display()} · {unit}"


class WorkGroup(SchoolScopedModel):
    """The leadership group (领导小组) and its working sub-groups (工作小组), per 002."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("leadership group")
        WORKING = "working", _("working group")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="sub_groups"
    )
    remit = models.TextField(_("remit"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("work group")
        verbose_name_plural = _("work groups")

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Organisation data: the schools the user sees (admins all, a district its own)."""
        return organisation_q(user)

    def __str__(self) -> str:
        return self.name


class WorkGroupMember(models.Model):
    class Position(models.TextChoices):
        LEADER = "leader", _("group head")
        DEPUTY = "deputy", _("deputy group head")
        MEMBER = "member", _("member")

    group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)

    class Meta:
        verbose_name = _("work group member")
        verbose_name_plural = _("work group members")
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="people_group_member_once")
        ]
