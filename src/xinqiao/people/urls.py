from django.urls import path

from xinqiao.people import views

app_name = "people"

urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
]
