"""URLs of the counseling statistics (issue 6 item 12)."""

from django.urls import path

from xinqiao.cases.views import stats

urlpatterns = [
    path("statistics/", stats.statistics, name="statistics"),
]
