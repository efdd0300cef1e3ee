"""URLs of the network area (see people/urls.py)."""

from django.urls import path

from xinqiao.people.views import network

urlpatterns = [
    path("network/", network.network, name="network"),
    path("network/posts/<slug:role>/", network.post_duties, name="post_duties"),
    path("network/schools/<int:school_id>/groups/", network.work_groups, name="work_groups"),
    path(
        "network/schools/<int:school_id>/groups/new/",
        network.work_group_create_view,
        name="work_group_create",
    ),
    path("network/groups/<int:pk>/", network.work_group_detail, name="work_group_detail"),
    path(
        "network/groups/<int:pk>/members/add/",
        network.work_group_member_add_view,
        name="work_group_member_add",
    ),
    path(
        "network/groups/<int:pk>/members/<int:member_id>/remove/",
        network.work_group_member_remove_view,
        name="work_group_member_remove",
    ),
]
