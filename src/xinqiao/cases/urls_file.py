"""URLs of the student file (一人一档) and the archive catalogue (档案目录)."""

from django.urls import path

from xinqiao.cases.views import file

urlpatterns: list = [
    path("students/<int:student_pk>/file/", file.student_file, name="student_file"),
    path(
        "students/<int:student_pk>/file/print/",
        file.student_file_print,
        name="student_file_print",
    ),
    path(
        "students/<int:student_pk>/file/export/",
        file.student_file_export_view,
        name="student_file_export",
    ),
    path("<int:pk>/file-records/", file.case_records, name="case_records"),
    path("archive/", file.archive_catalogue, name="archive"),
    path("archive/semester/", file.archive_semester, name="archive_semester"),
]
