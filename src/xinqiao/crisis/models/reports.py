"""The network's weekly reports (班级心理晴雨表), seed 002_714d38c47455f8e7.txt.

002's four levels (四级联动体系): the class committee member (心理委员) and each dormitory's
liaison (宿舍心理联络员) "find problems and report them upward in time"; the class teacher and
the grade leader (二级) pass them on to the school's counseling room (一级). Who sees what
follows that chain:

- the reporter: the reports of the units whose post they hold, and the worries they named;
- the class teacher: the reports of their class, and which students were named (never why);
- the grade leader: the reports of the grade's classes (mood, events, the number of worries);
- the counseling side (director, counselors): everything, the why included (reads recorded);
- leadership and the supervision group: the weekly figures only (crisis.selectors_reports).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import NOTHING, ProtectedModel, is_active_user
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES, Role
from xinqiao.core.tenancy import SchoolScopedModel


class Mood(models.IntegerChoices):
    """The class's weather (晴雨表), stormy to sunny."""

    STORM = 1, _("stormy: many are upset")
    RAIN = 2, _("rainy: low spirits")
    CLOUDY = 3, _("cloudy: so-so")
    FAIR = 4, _("fair: mostly fine")
    SUNNY = 5, _("sunny: in good spirits")


def reporter_unit_ids(user) -> tuple[set[int], set[int]]:
    """(class ids, dormitory ids) whose reporter's post ``user`` holds now; once a request."""
    cached = user.__dict__.get("_reporter_unit_ids")
    if cached is not None:
        return cached
    classes: set[int] = set()
    dorms: set[int] = set()
    if user.has_role(Role.COMMITTEE_MEMBER, Role.DORM_LIAISON):
        from xinqiao.people.models import RoleAssignment

        posts = RoleAssignment.objects.in_force().filter(
            user=user, role__in=(Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)
        )
        for role, class_id, dorm_id in posts.values_list("role", "school_class_id", "dormitory_id"):
            if role == Role.COMMITTEE_MEMBER and class_id:
                classes.add(class_id)
            elif role == Role.DORM_LIAISON and dorm_id:
                dorms.add(dorm_id)
    user.__dict__["_reporter_unit_ids"] = (classes, dorms)
    return classes, dorms


def reporter_units_q(user) -> Q:
    """Reports of the units (class, dormitory) whose post ``user`` holds now."""
    classes, dorms = reporter_unit_ids(user)
    return Q(school_class_id__in=classes) | Q(dormitory_id__in=dorms)


class WeeklyReport(SchoolScopedModel):
    """One unit's report of one teaching week: stored once (a double submit updates it) and
    editable by the unit's post holders until the week ends."""

    class Kind(models.TextChoices):
        CLASS = "class", _("class")
        DORMITORY = "dormitory", _("dormitory")

    semester = models.ForeignKey(
        "people.Semester", on_delete=models.PROTECT, related_name="+", verbose_name=_("semester")
    )
    week = models.PositiveSmallIntegerField(_("teaching week"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    school_class = models.ForeignKey(
        "people.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="weekly_reports",
        verbose_name=_("class"),
    )
    dormitory = models.ForeignKey(
        "people.Dormitory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="weekly_reports",
        verbose_name=_("dormitory"),
    )
    mood = models.PositiveSmallIntegerField(_("the mood this week"), choices=Mood.choices)
    events = EncryptedTextField(_("what happened this week"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    submitted_at = models.DateTimeField(_("sent"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-semester__starts_on", "-week", "kind", "pk"]
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["semester", "week", "school_class"],
                condition=Q(school_class__isnull=False),
                name="crisis_report_once_per_class_week",
            ),
            models.UniqueConstraint(
                fields=["semester", "week", "dormitory"],
                condition=Q(dormitory__isnull=False),
                name="crisis_report_once_per_dorm_week",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="class", school_class__isnull=False, dormitory__isnull=True)
                    | Q(kind="dormitory", school_class__isnull=True, dormitory__isnull=False)
                ),
                name="crisis_report_one_unit",
            ),
        ]

    confidential = True

    def __str__(self) -> str:
        return f"{self.unit} · {self.week}"

    @property
    def unit(self):
        return self.school_class if self.kind == self.Kind.CLASS else self.dormitory

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The chain of 002 (module docstring): reporters their units', the class teacher their
        classes', the grade leader the grade's, the counseling side and student affairs (who
        coordinate the dormitories) the school's."""
        if not is_active_user(user):
            return NOTHING
        from xinqiao.people.selectors import led_grade_ids, taught_class_ids

        return (
            Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES))
            | Q(kind=cls.Kind.DORMITORY, school_id__in=user.school_ids_with(Role.STUDENT_AFFAIRS))
            | Q(school_class_id__in=taught_class_ids(user))
            | Q(school_class__grade_id__in=led_grade_ids(user))
            | reporter_units_q(user)
            | Q(reporter_id=user.pk)
        )


class WorriedItem(ProtectedModel):
    """A classmate the reporter is worried about, and why (the why: counseling side only).

    The class teacher of the student is told to keep an eye on them, never why (DESIGN.md
    principle 1); a counselor reviews it or turns it into an alert (``alert`` links both ways:
    the alert's source is this item).
    """

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="worries")
    student = models.ForeignKey(
        "people.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("student")
    )
    why = EncryptedTextField(_("why you are worried"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    alert = models.ForeignKey(
        "crisis.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    school_parent = "report"

    class Meta:
        ordering = ["-added_at", "pk"]
        verbose_name = _("worried-about classmate")
        verbose_name_plural = _("worried-about classmates")
        constraints = [
            models.UniqueConstraint(fields=["report", "student"], name="crisis_worry_once")
        ]

    confidential = True

    def __str__(self) -> str:
        return str(self.student)

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The counseling side; the class teacher of the student (to act on: never why); the
        student who named them."""
        if not is_active_user(user):
            return NOTHING
        from xinqiao.people.selectors import taught_class_ids

        return (
            Q(report__school_id__in=user.school_ids_with(*COUNSELING_ROLES))
            | Q(student__school_class_id__in=taught_class_ids(user))
            | Q(added_by_id=user.pk)
        )


class ReportForward(ProtectedModel):
    """A grade leader passing a report on to the counseling room, with a note (002: 二级 →
    一级, 特殊问题及时向学校汇报)."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="forwards")
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(_("note to the counseling room"))
    at = models.DateTimeField(default=timezone.now)

    scope_parent = "report"

    class Meta:
        verbose_name = _("weekly report forwarded")
        verbose_name_plural = _("weekly reports forwarded")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "forwarded_by"], name="crisis_report_forwarded_once"
            )
        ]


class ReportChase(SchoolScopedModel):
    """A reminder sent for a missing report: to the reporter(s), then (a day later) the class
    teacher, or student affairs for a dormitory. Stored once per unit, week and stage, so that
    two workers or a rerun never send it twice."""

    class Stage(models.TextChoices):
        REPORTER = "reporter", _("reporter reminded")
        TEACHER = "teacher", _("class teacher reminded")

    semester = models.ForeignKey("people.Semester", on_delete=models.CASCADE, related_name="+")
    week = models.PositiveSmallIntegerField()
    school_class = models.ForeignKey(
        "people.SchoolClass", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    dormitory = models.ForeignKey(
        "people.Dormitory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # One per unit, week and stage (SQLite knows no NULLS NOT DISTINCT: one for each kind).
        verbose_name = _("weekly report reminder")
        verbose_name_plural = _("weekly report reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["semester", "week", "school_class", "stage"],
                condition=Q(school_class__isnull=False),
                name="crisis_class_report_chased_once",
            ),
            models.UniqueConstraint(
                fields=["semester", "week", "dormitory", "stage"],
                condition=Q(dormitory__isnull=False),
                name="crisis_dorm_report_chased_once",
            ),
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Chases are the counseling side's record of who was reminded."""
        return Q(school_id__in=user.school_ids_with(*COUNSELING_ROLES))
