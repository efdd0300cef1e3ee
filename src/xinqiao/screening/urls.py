from django.urls import path

from xinqiao.screening import views

app_name = "screening"

urlpatterns = [
    path("scales/", views.scale_list, name="scale_list"),
]
