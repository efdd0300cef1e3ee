"""URLs of referrals, consents, typical cases and the directory of outside services."""

from django.urls import path

from xinqiao.cases.views import referrals as views

urlpatterns = [
    # the directory of outside services
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/deactivate/", views.service_deactivate, name="service_deactivate"),
    # consent
    path("<int:case_pk>/consents/", views.consent_list, name="consent_list"),
    path("<int:case_pk>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "<int:case_pk>/consents/<int:pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    # referral
    path("referrals/", views.referral_list, name="referral_list"),
    path("<int:case_pk>/refer/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/outcome/", views.referral_outcome, name="referral_outcome"),
    path("referrals/<int:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
    path("referrals/<int:pk>/letter.docx", views.referral_letter, name="referral_letter"),
    # typical cases
    path("typical/", views.typical_list, name="typical_list"),
    path("typical/<int:pk>/", views.typical_detail, name="typical_detail"),
    path("typical/<int:pk>/edit/", views.typical_edit, name="typical_edit"),
    path("typical/<int:pk>/unpublish/", views.typical_unpublish, name="typical_unpublish"),
    path("<int:case_pk>/typical/", views.typical_mark, name="typical_mark"),
]
