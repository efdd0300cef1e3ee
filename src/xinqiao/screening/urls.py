from django.urls import path

from xinqiao.screening import (
    views,
    views_answering,
    views_campaigns,
    views_case,
    views_follow_ups,
    views_reports,
    views_taking,
)

app_name = "screening"

urlpatterns = [
    path("scales/", views.scale_list, name="scale_list"),
    # Campaigns (the director), their completion (completion only) and the guardians' notice.
    path("campaigns/", views_campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", views_campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views_campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views_campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/announce/", views_campaigns.campaign_announce, name="announce"),
    path("campaigns/<int:pk>/close/", views_campaigns.campaign_close, name="close"),
    path("campaigns/<int:pk>/cancel/", views_campaigns.campaign_cancel, name="cancel"),
    path("campaigns/<int:pk>/completion/", views_campaigns.completion, name="completion"),
    path("campaigns/<int:pk>/codes/", views_campaigns.class_codes, name="class_codes"),
    path("campaigns/<int:pk>/opt-outs/", views_campaigns.opt_outs, name="opt_outs"),
    path("notices/", views_campaigns.child_notices, name="child_notices"),
    path("notices/<int:pk>/", views_campaigns.notice, name="notice"),
    path("participations/<int:pk>/opt-out/", views_campaigns.opt_out, name="opt_out"),
    path("participations/<int:pk>/opt-in/", views_campaigns.opt_out_withdraw, name="opt_in"),
    # Answering: a respondent's own questionnaires, or a shared computer with a class code.
    path("mine/", views_taking.my_questionnaires, name="my_questionnaires"),
    path("code/", views_taking.class_code, name="class_code"),
    path("take/<int:pk>/", views_taking.take, name="take"),
    path("take/<int:pk>/save/", views_answering.save, name="save"),
    path("take/<int:pk>/submit/", views_answering.submit, name="submit"),
    path("take/<int:pk>/done/", views_taking.done, name="done"),
    # Results and follow-up interviews (the counseling side; class teachers: whom to send).
    path("follow-ups/", views_follow_ups.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/", views_follow_ups.follow_up_detail, name="follow_up_detail"),
    path("follow-ups/<int:pk>/assign/", views_follow_ups.follow_up_assign, name="assign"),
    path("results/<int:pk>/", views_follow_ups.result_detail, name="result_detail"),
    path("cases/<int:pk>/give/", views_case.give_scale, name="give_scale"),
    path("cases/<int:pk>/results/", views_case.case_results, name="case_results"),
    path("students/<int:pk>/results/", views_case.student_file_results, name="file_results"),
    # Reports.
    path("reports/", views_reports.report_index, name="reports"),
    path("reports/campaigns/<int:pk>/", views_reports.campaign_report, name="campaign_report"),
    path("reports/campaigns/<int:pk>/export/", views_reports.campaign_export, name="export"),
    path("reports/students/<int:pk>/", views_reports.student_trend, name="student_trend"),
    path("reports/classes/<int:pk>/", views_reports.class_trend, name="class_trend"),
]
