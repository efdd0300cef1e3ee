"""URLs of the crisis app (raise_alert's notifications link to crisis:alert_detail)."""

from django.urls import path

from xinqiao.crisis import (
    views,
    views_escalation,
    views_intervention,
    views_phrases,
    views_reports,
)

app_name = "crisis"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/intervene/", views.alert_intervene, name="alert_intervene"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
    path("phrases/", views_phrases.phrases, name="phrases"),
    path("board/", views_escalation.board, name="board"),
    path("escalation/", views_escalation.escalation_policy, name="escalation_policy"),
    path("asked-of-me/", views_escalation.my_instructions, name="my_instructions"),
]

# The network's weekly reports (班级心理晴雨表): crisis/views_reports.py.
urlpatterns += [
    path("reports/", views_reports.report_list, name="report_list"),
    path("reports/mine/", views_reports.report_mine, name="report_mine"),
    path("reports/summary/", views_reports.report_summary, name="report_summary"),
    path(
        "reports/write/<str:kind>/<int:unit_id>/",
        views_reports.report_write,
        name="report_write",
    ),
    path("reports/<int:pk>/", views_reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/forward/", views_reports.report_forward, name="report_forward"),
    path("reports/worried/", views_reports.worried_list, name="worried_list"),
    path("reports/worried/<int:pk>/", views_reports.worried_detail, name="worried_detail"),
    path("reports/worried/<int:pk>/alert/", views_reports.worried_alert, name="worried_alert"),
    path("reports/worried/<int:pk>/review/", views_reports.worried_review, name="worried_review"),
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
