"""URLs of the duty roster (included by rooms/urls.py)."""

from django.urls import path

from xinqiao.rooms.roster import views

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("roster/export.xlsx", views.roster_export_view, name="roster_export"),
    path("roster/issues/", views.roster_issues, name="roster_issues"),
    path("roster/plan/<int:room_pk>/", views.roster_plan, name="roster_plan"),
    path("roster/plan/<int:room_pk>/generate/", views.roster_generate, name="roster_generate"),
    path("roster/plan/<int:room_pk>/publish/", views.roster_publish, name="roster_publish"),
    path("roster/shift/<int:pk>/", views.shift_edit, name="shift_edit"),
    path("my-duties/", views.my_duties, name="my_duties"),
]
