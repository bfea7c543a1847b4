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
]
