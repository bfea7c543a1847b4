from django.urls import path

from . import views

app_name = "democracy"
urlpatterns = [
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/citizen/", views.feedback_citizen, name="feedback_citizen"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    path("feedback/me/", views.my_feedback, name="my_feedback"),
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("board/", views.board, name="board"),
    path("notices/me/", views.my_notices, name="my_notices"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/me/", views.my_consultations, name="my_consultations"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/new/", views.decision_new, name="decision_new"),
    path("life-meetings/", views.life_meetings, name="life_meetings"),
    path("life-meetings/<int:pk>/", views.life_meeting, name="life_meeting"),
    path("rectifications/<int:pk>/done/", views.rectification_done, name="rectification_done"),
    path("feedback-categories/", views.feedback_categories, name="feedback_categories"),
    path("feedback-categories/edit/", views.feedback_category_edit, name="feedback_category_edit"),
    path("notice-categories/", views.notice_categories, name="notice_categories"),
    path("notice-categories/edit/", views.notice_category_edit, name="notice_category_edit"),
]
