"""URLs of access grants (查阅授权)."""

from django.urls import path

from xinqiao.cases.views import grants

urlpatterns: list = [
    path("grants/", grants.grant_list, name="grant_list"),
    path("grants/request/", grants.grant_request, name="grant_request"),
    path("grants/mine/", grants.grant_mine, name="grant_mine"),
    path("grants/<int:pk>/", grants.grant_decide, name="grant_decide"),
    path("grants/<int:pk>/withdraw/", grants.grant_withdraw, name="grant_withdraw"),
    path("grants/<int:pk>/revoke/", grants.grant_revoke, name="grant_revoke"),
]
