"""The people app's getters: classes, students and their family circumstances (core/access.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from xinqiao.core.access import NOT_FOUND, get_or_refuse, record_read, record_refusal
from xinqiao.people.models import (
    School,
    SchoolClass,
    Staff,
    Student,
    StudentCircumstances,
    WorkGroup,
)
from xinqiao.people.network import schools_for_network

CIRCUMSTANCES_PERM = "people.view_student_circumstances"


def get_class(request, pk: int, *, perm: str = "people.view_class", queryset=None) -> SchoolClass:
    queryset = (
        SchoolClass.objects.select_related("grade", "school") if queryset is None else queryset
    )
    return get_or_refuse(request, queryset, pk, perm)


def get_student(request, pk: int, *, perm: str = "people.view_student", queryset=None) -> Student:
    if queryset is None:
        queryset = Student.objects.select_related("school_class__grade", "dormitory", "school")
    return get_or_refuse(request, queryset, pk, perm)


def get_network_school(request, pk: int, perm: str | None = None) -> School:
    """A school whose work network the user sees (see ``schools_for_network``)."""
    return get_or_refuse(request, schools_for_network(request.user), pk, perm)


def get_work_group(request, pk: int, perm: str = "people.manage_network") -> WorkGroup:
    """A work group of a school whose network the user sees; ``perm`` asked of its school."""
    queryset = WorkGroup.objects.filter(school__in=schools_for_network(request.user))
    return get_or_refuse(
        request, queryset.select_related("school", "parent"), pk, perm, perm_on="school"
    )


def get_student_for_circumstances(request, pk: int) -> Student:
    """The student whose family circumstances are asked for; a student the reader may not
    see at all, or may not open, is a refused read of the circumstances too, and logged as one."""
    try:
        return get_student(request, pk)
    except (Http404, PermissionDenied):
        record_refusal(request, StudentCircumstances, pk, CIRCUMSTANCES_PERM)
        raise


def read_circumstances(request, student: Student) -> StudentCircumstances | None:
    """The family circumstances of a student the reader may see them for; the read is logged
    under the student's number even when nothing is recorded (seed 003: sensitive)."""
    if not request.user.has_perm(CIRCUMSTANCES_PERM, student):
        record_refusal(
            request,
            StudentCircumstances,
            student.pk,
            CIRCUMSTANCES_PERM,
            school_id=student.school_id,
        )
        raise Http404(NOT_FOUND)  # not this reader's to see: as if there were none
    circumstances = StudentCircumstances.objects.for_user(request.user).filter(student=student)
    found = circumstances.first()
    record_read(
        request,
        found or StudentCircumstances(student=student),
        basis="counseling staff of the school",
        school_id=student.school_id,
    )
    return found


def get_staff(request, pk: int, *, perm: str) -> Staff:
    return get_or_refuse(request, Staff.objects.select_related("school", "user"), pk, perm)
