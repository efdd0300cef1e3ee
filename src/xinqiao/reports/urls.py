from django.urls import path

from xinqiao.reports import views

app_name = "reports"

urlpatterns = [
    path("research/", views.research_list, name="research_list"),
    path("research/new/", views.research_new, name="research_new"),
    path("research/<int:pk>/", views.research_detail, name="research_detail"),
    path("research/<int:pk>/download/", views.research_download, name="research_download"),
]
