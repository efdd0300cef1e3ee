"""The work network of a school, the duties of each post, and the leadership group's management."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.core.roles import INSTALLATION_ROLES, Role
from xinqiao.people import access, duties
from xinqiao.people.forms_network import WorkGroupForm, WorkGroupMemberForm
from xinqiao.people.models import School, WorkGroup, WorkGroupMember
from xinqiao.people.network import (
    group_members,
    has_several_network_schools,
    leadership_group_of,
    network_for_school,
    post_holders,
    schools_for_network,
    semester_for_network,
)
from xinqiao.people.services_network import (
    work_group_create,
    work_group_member_add,
    work_group_member_remove,
)

# Roles whose holders are too many, or not a post, to be listed on the duties page.
UNLISTED_HOLDERS = frozenset({Role.STUDENT, Role.GUARDIAN, *INSTALLATION_ROLES})


def _chosen_school(request, schools: QuerySet[School]) -> School | None:
    """``?school=`` among ``schools`` (404 if not one of them), or the only one there is."""
    school_id = query_id(request, "school")
    if school_id is not None:
        return get_object_or_404(schools, pk=school_id)
    first_two = list(schools[:2])
    return first_two[0] if len(first_two) == 1 else None


def _school_page(request, schools: QuerySet[School]):
    query = request.GET.get("q", "").strip()
    if query:
        schools = schools.filter(name__icontains=query)
    return Paginator(schools, 25).get_page(request.GET.get("page")), query


@permission_required("people.view_network")
def network(request):
    schools = schools_for_network(request.user)
    school = _chosen_school(request, schools)
    if school is None:
        page, query = _school_page(request, schools)
        return render(request, "people/network_pick_school.html", {"page": page, "q": query})
    semesters = list(school.semesters.all())
    semester = semester_for_network(semesters, request.GET.get("semester"))
    context = {
        "school": school,
        "network": network_for_school(school=school, semester=semester),
        "semesters": semesters,
        "several_schools": has_several_network_schools(request.user),
        "may_manage": request.user.has_perm("people.manage_network", school),
        "level_duties": duties.LEVEL_DUTIES,
        "leadership_duties": duties.LEADERSHIP_GROUP_DUTIES,
        "role_labels": {role.value: role.label for role in Role},
        "positions": {p.value: p.label for p in WorkGroupMember.Position},
    }
    return render(request, "people/network.html", context)


@permission_required("people.view_post_duties")
def post_duties(request, role: str):
    if role not in Role.values:
        raise Http404
    role = Role(role)
    # Staff see who holds a post at their school; pupils and families read the duties only.
    schools = schools_for_network(request.user)
    school = _chosen_school(request, schools) if role not in UNLISTED_HOLDERS else None
    context = {
        "role": role,
        "duties": duties.duties_of(role),
        "school": school,
        "lists_holders": role not in UNLISTED_HOLDERS,
        "holders": None,
        "page": None,
        "q": "",
    }
    if school is not None:
        holders = post_holders(school=school, role=role)
        context["holders"] = Paginator(holders, 50).get_page(request.GET.get("page"))
    elif context["lists_holders"] and schools.exists():
        context["page"], context["q"] = _school_page(request, schools)
    return render(request, "people/post_duties.html", context)


# --- management of the leadership group and its working groups ---------------------------------
def _managed_school(request, school_id: int) -> School:
    return access.get_network_school(request, school_id, "people.manage_network")


def _managed_group(request, pk: int) -> WorkGroup:
    return access.get_work_group(request, pk)


def _network_url(school: School) -> str:
    return f"{reverse('people:network')}?school={school.pk}"


@permission_required("people.manage_network")
def work_groups(request, school_id: int):
    school = _managed_school(request, school_id)
    groups = WorkGroup.objects.for_user(request.user).filter(school=school)
    groups = groups.select_related("parent")
    query = request.GET.get("q", "").strip()
    if query:
        groups = groups.filter(name__icontains=query)
    page = Paginator(groups.order_by("kind", "name"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "people/work_groups.html",
        {
            "school": school,
            "page": page,
            "q": query,
            "leadership": leadership_group_of(school),
            "network_url": _network_url(school),
        },
    )


@permission_required("people.manage_network")
def work_group_create_view(request, school_id: int):
    school = _managed_school(request, school_id)
    leadership = leadership_group_of(school)
    kind = WorkGroup.Kind.WORKING if leadership else WorkGroup.Kind.LEADERSHIP
    form = WorkGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = work_group_create(
                actor=request.user,
                school=school,
                kind=kind,
                name=form.cleaned_data["name"],
                remit=form.cleaned_data["remit"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The group %(name)s is set up.") % {"name": group.name})
            return redirect("people:work_group_detail", pk=group.pk)
    return render(
        request,
        "people/work_group_form.html",
        {
            "school": school,
            "form": form,
            "kind": kind,
            "leadership": leadership,
            "suggestions": duties.SUGGESTED_WORKING_GROUPS,
        },
    )


def _detail(request, group: WorkGroup, form: WorkGroupMemberForm):
    return render(
        request,
        "people/work_group_detail.html",
        {
            "group": group,
            "members": group_members(group),
            "sub_groups": group.sub_groups.order_by("name"),
            "form": form,
            "position_duties": duties.GROUP_POSITION_DUTIES,
            "network_url": _network_url(group.school),
        },
    )


@permission_required("people.manage_network")
def work_group_detail(request, pk: int):
    group = _managed_group(request, pk)
    return _detail(request, group, WorkGroupMemberForm(school=group.school))


@permission_required("people.manage_network")
def work_group_member_add_view(request, pk: int):
    group = _managed_group(request, pk)
    form = WorkGroupMemberForm(request.POST or None, school=group.school)
    if request.method == "POST" and form.is_valid():
        try:
            member = work_group_member_add(
                actor=request.user,
                group=group,
                user=form.cleaned_data["user"],
                position=form.cleaned_data["position"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s joined %(group)s.")
                % {"name": member.user.display_name, "group": group.name},
            )
            return redirect("people:work_group_detail", pk=group.pk)
    return _detail(request, group, form)


@require_POST
@permission_required("people.manage_network")
def work_group_member_remove_view(request, pk: int, member_id: int):
    group = _managed_group(request, pk)
    member = get_object_or_404(
        WorkGroupMember.objects.select_related("user", "group__school"), pk=member_id, group=group
    )
    work_group_member_remove(actor=request.user, member=member)
    messages.success(
        request,
        _("%(name)s left %(group)s.") % {"name": member.user.display_name, "group": group.name},
    )
    return redirect("people:work_group_detail", pk=group.pk)
