"""URLs of the roster area (see people/urls.py)."""

from django.urls import path

from xinqiao.people.views import roster

urlpatterns = [
    path("import/", roster.roster_import, name="roster_import"),
    path("import/template/", roster.roster_template_download, name="roster_template"),
    path("import/<uuid:job_id>/", roster.roster_import_status, name="roster_import_status"),
    path(
        "import/<uuid:job_id>/confirm/", roster.roster_import_confirm, name="roster_import_confirm"
    ),
    path("import/<uuid:job_id>/cancel/", roster.roster_import_cancel, name="roster_import_cancel"),
]
