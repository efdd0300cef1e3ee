from django.urls import path

from xinqiao.letters import views

app_name = "letters"

urlpatterns = [
    path("write/", views.write, name="write"),
    path("mine/", views.mine, name="mine"),
    path("pickup/", views.pickup, name="pickup"),
    path("box/", views.letterbox, name="letterbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/flags/<int:flag_pk>/dismiss/", views.flag_dismiss, name="flag_dismiss"),
]
