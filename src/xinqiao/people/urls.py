"""People's URLs. Each area keeps its own module so that its views and routes stay together."""

from django.urls import include, path

from xinqiao.people.views import org

app_name = "people"

urlpatterns = [
    path("schools/", org.school_list, name="school_list"),
    path("", include("xinqiao.people.urls_org")),
    path("", include("xinqiao.people.urls_network")),
    path("roster/", include("xinqiao.people.urls_roster")),
    path("accounts-issue/", include("xinqiao.people.urls_accounts")),
]
