"""The people API: schools, semesters, grades, classes, students, staff and the work network.

Every list reads through a scoped queryset (``for_user``) and every object through the same
getter the pages use, so the API shows exactly what the caller's pages show: "missing" and
"not yours" both answer 404; an object in scope that the caller's role may not read answers 403.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from ninja import Router
from ninja.pagination import paginate

from xinqiao.core.access import get_or_refuse, require
from xinqiao.people import access
from xinqiao.people.models import (
    Grade,
    Holiday,
    School,
    SchoolClass,
    Semester,
    Staff,
    Student,
    StudentCircumstances,
)
from xinqiao.people.network import network_for_school, schools_for_network, semester_for_network
from xinqiao.people.schemas import (
    CircumstancesOut,
    ClassDetailOut,
    ClassOut,
    GradeOut,
    NetworkOut,
    SchoolOut,
    SemesterOut,
    StaffOut,
    StudentOut,
)

router = Router(tags=["people"])


def _schools(request) -> QuerySet[School]:
    """The schools whose organisation (calendar, grades) the caller may read."""
    require(request.auth, "people.view_school_list")
    return School.objects.for_user(request.auth)


# --- schools, semesters, grades ---------------------------------------------------------------------
@router.get("/schools", response=list[SchoolOut], summary="Schools the caller belongs to")
@paginate
def school_list(request):
    return _schools(request).order_by("name", "pk")


@router.get("/schools/{school_id}", response=SchoolOut, summary="One school")
def school_detail(request, school_id: int):
    return get_or_refuse(request, School, school_id, "people.view_school")


@router.get("/semesters", response=list[SemesterOut], summary="Semesters and their holidays")
@paginate
def semester_list(request, school: int | None = None):
    semesters = (
        Semester.objects.for_user(request.auth)
        .filter(school__in=_schools(request))
        .prefetch_related(Prefetch("holidays", queryset=Holiday.objects.order_by("starts_on")))
        .order_by("school_id", "-school_year", "-term")
    )
    return semesters.filter(school_id=school) if school is not None else semesters


@router.get("/grades", response=list[GradeOut], summary="Grades (or departments)")
@paginate
def grade_list(request, school: int | None = None):
    grades = Grade.objects.for_user(request.auth).filter(school__in=_schools(request))
    grades = grades.order_by("school_id", "level")
    return grades.filter(school_id=school) if school is not None else grades


# --- classes -----------------------------------------------------------------------------------------
@router.get("/classes", response=list[ClassOut], summary="Classes the caller may see")
@paginate
def class_list(
    request, school: int | None = None, grade: int | None = None, graduated: bool | None = None
):
    require(request.auth, "people.view_class_list")
    classes = (
        SchoolClass.objects.for_user(request.auth)
        .select_related("grade")
        .order_by("school_id", "grade__level", "number", "pk")
    )
    if school is not None:
        classes = classes.filter(school_id=school)
    if grade is not None:
        classes = classes.filter(grade_id=grade)
    if graduated is not None:
        classes = classes.filter(graduated=graduated)
    return classes


@router.get("/classes/{class_id}", response=ClassDetailOut, summary="One class")
def class_detail(request, class_id: int):
    enrolled = Count("students", filter=Q(students__status=Student.Status.ENROLLED))
    queryset = SchoolClass.objects.select_related("grade").annotate(student_count=enrolled)
    return access.get_class(request, class_id, queryset=queryset)


# --- students ----------------------------------------------------------------------------------------
@router.get("/students", response=list[StudentOut], summary="Students the caller may see")
@paginate
def student_list(
    request,
    class_id: int | None = None,
    q: str = "",
    status: Student.Status | None = None,
):
    """Everyone may ask: a class teacher gets their class, a student themself, a guardian their
    children (the same rule as ``people.view_student``). Search by name or student number.
    """
    # distinct(): the guardian part of the rule joins GuardianLink, one row per guardian.
    students = (
        Student.objects.distinct()
        .for_user(request.auth)
        .select_related("school_class__grade")
        .order_by("student_number", "pk")
    )
    if class_id is not None:
        students = students.filter(school_class_id=class_id)
    if status is not None:
        students = students.filter(status=status)
    if q := q.strip():
        students = students.filter(Q(name__icontains=q) | Q(student_number__startswith=q))
    return students


@router.get("/students/{student_id}", response=StudentOut, summary="One student")
def student_detail(request, student_id: int):
    return access.get_student(request, student_id)


@router.get(
    "/students/{student_id}/circumstances",
    response=CircumstancesOut,
    summary="A student's family circumstances (counseling staff only; every read is logged)",
)
def student_circumstances(request, student_id: int):
    student = access.get_student_for_circumstances(request, student_id)
    circumstances = access.read_circumstances(request, student)
    if circumstances is None:
        return {"student_id": student.pk, "recorded": False}
    return {
        "student_id": student.pk,
        "recorded": True,
        **{name: getattr(circumstances, name) for name in StudentCircumstances.FLAG_FIELDS},
        "flags": [name for name, _label in circumstances.flags],
        "notes": circumstances.notes,
        "updated_at": circumstances.updated_at,
    }


# --- staff and the network ----------------------------------------------------------------------------
@router.get("/staff", response=list[StaffOut], summary="Staff of the caller's schools")
@paginate
def staff_list(request, school: int | None = None, q: str = ""):
    require(request.auth, "people.view_network")
    staff = (
        Staff.objects.for_user(request.auth)
        .filter(school__in=schools_for_network(request.auth))
        .order_by("school_id", "staff_number", "pk")
    )
    if school is not None:
        staff = staff.filter(school_id=school)
    if q := q.strip():
        staff = staff.filter(Q(name__icontains=q) | Q(job_title__icontains=q))
    return staff


@router.get(
    "/schools/{school_id}/network",
    response=NetworkOut,
    summary="Who holds each post of the school's work network",
)
def school_network(request, school_id: int, semester: int | None = None):
    require(request.auth, "people.view_network")
    school = access.get_network_school(request, school_id)
    chosen = semester_for_network(list(school.semesters.all()), semester)
    return network_for_school(school=school, semester=chosen)
