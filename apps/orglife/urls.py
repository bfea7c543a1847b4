from django.urls import path

from . import views

app_name = "orglife"
urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("new/", views.meeting_new, name="meeting_new"),
    path("quick/", views.quick, name="quick"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("absences/", views.absences, name="absences"),
    path("absences/open-cases/", views.open_cases, name="open_cases"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("exclusions/", views.exclusions, name="exclusions"),
    path("exclusions/<int:pk>/end/", views.exclusion_end, name="exclusion_end"),
    path("me/", views.my, name="my"),
    path("settings/", views.settings_view, name="settings"),
]
