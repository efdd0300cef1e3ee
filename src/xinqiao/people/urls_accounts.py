"""URLs of the accounts area (see people/urls.py)."""

from django.urls import path

from xinqiao.people.views import accounts

urlpatterns = [
    path("", accounts.account_issue, name="account_issue"),
    path("sheet/", accounts.account_sheet, name="account_sheet"),
    path("search/", accounts.account_search, name="account_search"),
    path("<int:pk>/reset/", accounts.account_reset, name="account_reset"),
]
