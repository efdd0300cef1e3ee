"""URLs of the case workflow: intake, assessment, conference, plan, records and closure."""

from django.urls import path

from xinqiao.cases.views import workflow as views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_open, name="case_open"),
    path("refer/", views.refer_student, name="refer_student"),
    path("concern/", views.raise_concern, name="raise_concern"),
    path("my-referrals/", views.my_referrals, name="my_referrals"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("from-appointment/<int:pk>/", views.appointment_case, name="appointment_case"),
    path("categories/", views.category_list, name="category_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/brief/", views.case_brief, name="case_brief"),
    path("<int:pk>/assess/", views.case_assess, name="case_assess"),
    path("<int:pk>/counselors/", views.case_counselors, name="case_counselors"),
    path("<int:pk>/conference/", views.conference_convene, name="conference_convene"),
    path("<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/records/new/", views.record_create, name="record_create"),
    path("<int:pk>/summaries/new/", views.summary_create, name="summary_create"),
    path("<int:pk>/evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path("<int:pk>/close/confirm/", views.case_close_confirm, name="case_close_confirm"),
    path("<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("<int:pk>/archive/", views.case_archive, name="case_archive"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference_detail"),
    path("conferences/<int:pk>/shared/", views.conference_share, name="conference_share"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("measures/<int:pk>/status/", views.measure_status, name="measure_status"),
    path("measures/<int:pk>/log/", views.measure_log, name="measure_log"),
]
