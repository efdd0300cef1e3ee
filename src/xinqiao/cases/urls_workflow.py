"""URLs of the case workflow: intake, assessment, conference, plan, records and closure."""

from django.urls import path

from xinqiao.cases.views import case, conference, intake, plans, records

urlpatterns = [
    path("", case.case_list, name="case_list"),
    path("new/", intake.case_open, name="case_open"),
    path("refer/", intake.refer_student, name="refer_student"),
    path("concern/", intake.raise_concern, name="raise_concern"),
    path("my-referrals/", intake.my_referrals, name="my_referrals"),
    path("tasks/", plans.my_tasks, name="my_tasks"),
    path("from-appointment/<int:pk>/", intake.appointment_case, name="appointment_case"),
    path("categories/", case.category_list, name="category_list"),
    path("<int:pk>/", case.case_detail, name="case_detail"),
    path("<int:pk>/records/", case.case_records_part, name="case_records_part"),
    path("<int:pk>/links/", case.case_links_part, name="case_links_part"),
    path("<int:pk>/brief/", case.case_brief, name="case_brief"),
    path("<int:pk>/assess/", case.case_assess, name="case_assess"),
    path("<int:pk>/counselors/", case.case_counselors, name="case_counselors"),
    path("<int:pk>/conference/", conference.conference_convene, name="conference_convene"),
    path("<int:pk>/plan/", plans.plan_edit, name="plan_edit"),
    path("<int:pk>/records/new/", records.record_create, name="record_create"),
    path("<int:pk>/summaries/new/", records.summary_create, name="summary_create"),
    path("<int:pk>/evaluations/new/", records.evaluation_create, name="evaluation_create"),
    path("<int:pk>/close/", records.case_close, name="case_close"),
    path("<int:pk>/close/confirm/", records.case_close_confirm, name="case_close_confirm"),
    path("<int:pk>/reopen/", records.case_reopen, name="case_reopen"),
    path("<int:pk>/archive/", records.case_archive, name="case_archive"),
    path("conferences/<int:pk>/", conference.conference_detail, name="conference_detail"),
    path("conferences/<int:pk>/shared/", conference.conference_share, name="conference_share"),
    path("plans/<int:pk>/approve/", plans.plan_approve, name="plan_approve"),
    path("measures/<int:pk>/status/", plans.measure_status, name="measure_status"),
    path("measures/<int:pk>/log/", plans.measure_log, name="measure_log"),
]
