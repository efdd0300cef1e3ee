from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinqiao.people.models import School

router = Router(tags=["people"])


class SchoolOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    district_id: int | None


@router.get("/schools", response=list[SchoolOut], summary="Schools the caller belongs to")
@paginate
def school_list(request):
    if not request.auth.has_perm("people.view_school_list"):
        raise HttpError(403, "Forbidden")
    return School.objects.for_user(request.auth).order_by("name")


@router.get("/schools/{school_id}", response=SchoolOut, summary="One school")
def school_detail(request, school_id: int):
    school = get_object_or_404(School.objects.for_user(request.auth), pk=school_id)
    if not request.auth.has_perm("people.view_school", school):
        raise HttpError(403, "Forbidden")
    return school
