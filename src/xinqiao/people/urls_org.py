"""URLs of classes and students (see people/urls.py)."""

from django.urls import path

from xinqiao.people.views import org

urlpatterns = [
    path("classes/", org.class_list, name="class_list"),
    path("classes/<int:pk>/", org.class_detail, name="class_detail"),
    path("students/", org.student_list, name="student_list"),
    path("students/<int:pk>/", org.student_detail, name="student_detail"),
]
