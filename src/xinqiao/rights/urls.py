"""URLs of guardians' record requests (issue 16 item 4), under /rights/."""

from django.urls import path

from xinqiao.rights import views

app_name = "rights"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("ask/", views.ask, name="ask"),
    path("mine/", views.my_requests, name="mine"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/take-up/", views.take_up, name="take_up"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/copy/", views.download, name="download"),
]
