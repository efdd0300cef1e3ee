from django.urls import include, path
from django.views.i18n import set_language

from xinqiao.api import api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("rooms/", include("xinqiao.rooms.urls")),
    path("crisis/", include("xinqiao.crisis.urls")),
    path("cases/", include("xinqiao.cases.urls")),
    path("letters/", include("xinqiao.letters.urls")),
    path("screening/", include("xinqiao.screening.urls")),
    path("privacy/", include("xinqiao.privacy.urls")),
    path("rights/", include("xinqiao.rights.urls")),
    path("reports/", include("xinqiao.reports.urls")),
    path("", include("xinqiao.people.urls")),
    path("", include("xinqiao.core.urls")),
]

handler400 = "xinqiao.core.views.errors.bad_request"
handler403 = "xinqiao.core.views.errors.forbidden"
handler404 = "xinqiao.core.views.errors.not_found"
handler500 = "xinqiao.core.views.errors.server_error"
