"""URLs of the crisis app (raise_alert's notifications link to crisis:alert_detail)."""

from django.urls import path

from xinqiao.crisis import views, views_intervention

app_name = "crisis"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/intervene/", views.alert_intervene, name="alert_intervene"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
]

# The crisis record, the disclosure register and emergency access (issue 14 items 5 and 6).
urlpatterns += [
    path("alerts/<int:pk>/record/", views_intervention.crisis_record, name="crisis_record"),
    path(
        "alerts/<int:pk>/record/details/",
        views_intervention.crisis_record_details,
        name="crisis_record_details",
    ),
    path(
        "alerts/<int:pk>/record/safety-plan/",
        views_intervention.safety_plan_save,
        name="safety_plan_save",
    ),
    path(
        "alerts/<int:pk>/record/safety-plan/print/",
        views_intervention.safety_plan_print,
        name="safety_plan_print",
    ),
    path(
        "alerts/<int:pk>/record/guardian-contacts/",
        views_intervention.guardian_contact_add,
        name="guardian_contact_add",
    ),
    path(
        "alerts/<int:pk>/record/disclosures/",
        views_intervention.intervention_disclose,
        name="intervention_disclose",
    ),
    path(
        "alerts/<int:pk>/record/follow-ups/<int:follow_up_pk>/",
        views_intervention.follow_up_done,
        name="follow_up_done",
    ),
    path(
        "alerts/<int:pk>/record/close/",
        views_intervention.crisis_record_close,
        name="crisis_record_close",
    ),
    path("disclosures/", views_intervention.disclosure_list, name="disclosure_list"),
    path("disclosures/export/", views_intervention.disclosure_export, name="disclosure_export"),
    path(
        "emergency-access/",
        views_intervention.emergency_access_review_list,
        name="emergency_access_review_list",
    ),
    path(
        "emergency-access/new/",
        views_intervention.emergency_access_open,
        name="emergency_access_open",
    ),
    path(
        "emergency-access/<int:pk>/review/",
        views_intervention.emergency_access_review,
        name="emergency_access_review",
    ),
]
