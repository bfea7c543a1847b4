from django.urls import path

from . import views

app_name = "education"
urlpatterns = [
    path("", views.progress, name="progress"),
    path("entries/", views.entries, name="entries"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("entries/<int:pk>/decide/", views.entry_decide, name="entry_decide"),
    path("members/<int:pk>/", views.member, name="member"),
    path("me/", views.my, name="my"),
    path("classes/", views.classes, name="classes"),
    path("classes/new/", views.class_new, name="class_new"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/sessions/", views.class_session, name="class_session"),
    path("classes/<int:pk>/quotas/", views.class_quota, name="class_quota"),
    path("classes/<int:pk>/enrol/", views.class_enrol, name="class_enrol"),
    path("classes/<int:pk>/finish/", views.class_finish, name="class_finish"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("rules/", views.rules_page, name="rules"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/grade/", views.report_grade, name="report_grade"),
    path("reports/mine/", views.my_report, name="my_report"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/items/", views.plan_item_add, name="plan_item_add"),
    path("plan-items/<int:pk>/delete/", views.plan_item_delete, name="plan_item_delete"),
    path("quizzes/", views.quizzes, name="quizzes"),
    path("quizzes/new/", views.quiz_new, name="quiz_new"),
    path("quizzes/<int:pk>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<int:pk>/start/", views.quiz_start, name="quiz_start"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("questions/", views.questions, name="questions"),
    path("questions/new/", views.question_new, name="question_new"),
    path("questions/import/", views.questions_import, name="questions_import"),
    path("questions/<int:pk>/active/", views.question_active, name="question_active"),
]
