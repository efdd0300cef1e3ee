"""URLs of leave from a duty (included by rooms/urls.py)."""

from django.urls import path

from xinqiao.rooms.leave import views

urlpatterns = [
    path("roster/shift/<int:pk>/leave/", views.leave_request, name="leave_request"),
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/<int:pk>/", views.leave_detail, name="leave_detail"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("leave/<int:pk>/substitute/", views.leave_substitute, name="leave_substitute"),
    path("leave/<int:pk>/withdraw/", views.leave_withdraw, name="leave_withdraw"),
]
