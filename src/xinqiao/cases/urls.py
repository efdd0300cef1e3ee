"""URLs of case work: each area keeps its own list in a urls_*.py module; this module includes
them all under the "cases" namespace."""

from django.urls import include, path

app_name = "cases"

urlpatterns = [
    path("", include("xinqiao.cases.urls_workflow")),
    path("", include("xinqiao.cases.urls_referrals")),
    path("", include("xinqiao.cases.urls_file")),
    path("", include("xinqiao.cases.urls_stats")),
    path("", include("xinqiao.cases.urls_grants")),
]
