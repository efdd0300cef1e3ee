from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinqiao.core.roles import INSTALLATION_ROLES, Role


class District(models.Model):
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class SchoolQuerySet(models.QuerySet):
    def for_user(self, user) -> SchoolQuerySet:
        """Schools where the user holds a role; every school for admins, the district's for it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self.all()
        district_ids = user.district_ids if user.has_role(Role.DISTRICT) else []
        return self.filter(Q(pk__in=user.school_ids) | Q(district_id__in=district_ids))


class School(models.Model):
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

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A role held by a person in a school (installation roles: admin, district, school empty)."""

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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                name="people_role_once_per_school",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(role__in=sorted(INSTALLATION_ROLES)) | Q(school__isnull=False),
                name="people_role_school_bound",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.school or '—'}"
