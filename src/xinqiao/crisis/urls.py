"""URLs of the crisis app (raise_alert's notifications link to crisis:alert_detail)."""

from django.urls import path

from xinqiao.crisis import views, views_escalation

app_name = "crisis"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/intervene/", views.alert_intervene, name="alert_intervene"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
    path("board/", views_escalation.board, name="board"),
    path("escalation/", views_escalation.escalation_policy, name="escalation_policy"),
    path("asked-of-me/", views_escalation.my_instructions, name="my_instructions"),
]
