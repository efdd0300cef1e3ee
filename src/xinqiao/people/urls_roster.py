"""URLs of the roster area (see people/urls.py)."""

from django.urls import path

from xinqiao.people.views import roster, roster_records

urlpatterns = [
    path("import/", roster.roster_import, name="roster_import"),
    path("import/template/", roster.roster_template_download, name="roster_template"),
    path("import/<uuid:job_id>/", roster.roster_import_status, name="roster_import_status"),
    path(
        "import/<uuid:job_id>/confirm/", roster.roster_import_confirm, name="roster_import_confirm"
    ),
    path("import/<uuid:job_id>/cancel/", roster.roster_import_cancel, name="roster_import_cancel"),
    # One record at a time (issue 12 item 24).
    path("students/new/", roster_records.roster_student_add, name="roster_student_add"),
    path("students/<int:pk>/", roster_records.roster_student, name="roster_student"),
    path("students/<int:pk>/edit/", roster_records.roster_student_edit, name="roster_student_edit"),
    path(
        "students/<int:pk>/leave/", roster_records.roster_student_leave, name="roster_student_leave"
    ),
    path(
        "students/<int:pk>/transfer-in/",
        roster_records.roster_student_transfer_in,
        name="roster_student_transfer_in",
    ),
    path("staff/", roster_records.roster_staff_list, name="roster_staff_list"),
    path("staff/new/", roster_records.roster_staff_add, name="roster_staff_add"),
    path("staff/<int:pk>/", roster_records.roster_staff, name="roster_staff"),
    path("staff/<int:pk>/edit/", roster_records.roster_staff_edit, name="roster_staff_edit"),
    path("staff/<int:pk>/leave/", roster_records.roster_staff_leave, name="roster_staff_leave"),
]
