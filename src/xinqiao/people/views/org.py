"""Schools, classes and students as each role may see them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render

from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.people import access
from xinqiao.people.models import Grade, School, SchoolClass, Student


@permission_required("people.view_school_list")
def school_list(request):
    schools = School.objects.for_user(request.user).select_related("district")
    query = request.GET.get("q", "").strip()
    if query:
        schools = schools.filter(name__icontains=query)
    page = Paginator(schools, 25).get_page(request.GET.get("page"))
    return render(request, "people/school_list.html", {"page": page, "q": query})


@permission_required("people.view_class_list")
def class_list(request):
    classes = (
        SchoolClass.objects.for_user(request.user)
        .filter(graduated=False)
        .select_related("grade", "school")
        .annotate(student_count=Count("students", filter=Q(students__status="enrolled")))
        .order_by("school__name", "grade__level", "number")
    )
    grades = Grade.objects.for_user(request.user).filter(pk__in=classes.values("grade_id"))
    grades = grades.order_by("school", "level")
    grade_id = query_id(request, "grade")
    if grade_id is not None:
        classes = classes.filter(grade_id=grade_id)
    page = Paginator(classes, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "people/class_list.html",
        {"page": page, "grades": grades, "grade": str(grade_id or "")},
    )


@permission_required("people.view_class_list")
def class_detail(request, pk: int):
    school_class = access.get_class(request, pk)
    students = (
        Student.objects.for_user(request.user)
        .filter(school_class=school_class)
        .enrolled()
        .select_related("dormitory")
    )
    page = Paginator(students, 60).get_page(request.GET.get("page"))
    return render(request, "people/class_detail.html", {"school_class": school_class, "page": page})


@permission_required("people.view_student_list")
def student_list(request):
    students = Student.objects.for_user(request.user).select_related(
        "school_class__grade", "school"
    )
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", Student.Status.ENROLLED)
    if status in Student.Status.values:
        students = students.filter(status=status)
    if query:
        students = students.filter(Q(name__icontains=query) | Q(student_number__startswith=query))
    page = Paginator(students.order_by("student_number"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/student_list.html",
        {"page": page, "q": query, "status": status, "statuses": Student.Status.choices},
    )


@permission_required("people.view_student_list")
def student_detail(request, pk: int):
    student = access.get_student(request, pk)
    circumstances = None
    may_see_circumstances = request.user.has_perm(access.CIRCUMSTANCES_PERM, student)
    if may_see_circumstances:
        circumstances = access.read_circumstances(request, student)
    placements = student.placements.select_related("semester", "school_class", "dormitory")
    guardians = student.guardian_links.select_related("guardian")
    return render(
        request,
        "people/student_detail.html",
        {
            "student": student,
            "circumstances": circumstances,
            "may_see_circumstances": may_see_circumstances,
            "placements": placements,
            "guardian_links": guardians,
        },
    )
