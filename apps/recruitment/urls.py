from django.urls import path

from . import views

app_name = "recruitment"
urlpatterns = [
    path("", views.file_list, name="file_list"),
    path("new/", views.file_new, name="file_new"),
    path("files/<int:pk>/", views.file_detail, name="file_detail"),
    path("files/<int:pk>/steps/<str:code>/", views.step_take, name="step_take"),
    path("files/<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("files/<int:pk>/vote/", views.vote_new, name="vote_new"),
    path("files/<int:pk>/notice/", views.notice_new, name="notice_new"),
    path("files/<int:pk>/notice/<int:notice_id>/objection/", views.objection_new, name="objection_new"),
    path("files/<int:pk>/objection/<int:objection_id>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("files/<int:pk>/assessment/", views.assessment_new, name="assessment_new"),
    path("files/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("activists/", views.activists, name="activists"),
    path("training/", views.training_classes, name="training"),
    path("training/<int:class_id>/", views.training_enrol, name="training_enrol"),
    path("plans/", views.plans, name="plans"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/publish/", views.publish_circular, name="publish_circular"),
    path("settings/", views.rule_settings, name="settings"),
    path("rules/", views.rule_table, name="rule_table"),
]
