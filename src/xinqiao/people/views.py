from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from xinqiao.core.decorators import permission_required
from xinqiao.people.models import School


@permission_required("people.view_school_list")
def school_list(request):
    schools = School.objects.for_user(request.user).select_related("district")
    query = request.GET.get("q", "").strip()
    if query:
        schools = schools.filter(name__icontains=query)
    page = Paginator(schools, 25).get_page(request.GET.get("page"))
    return render(request, "people/school_list.html", {"page": page, "q": query})
