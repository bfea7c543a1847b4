from django.urls import path

from . import views

app_name = "appraisal"
urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.campaign, name="campaign"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("branches/<int:pk>/report/", views.branch_report, name="branch_report"),
    path("branches/<int:pk>/advance/", views.branch_advance, name="branch_advance"),
    path("branches/<int:pk>/propose/", views.branch_propose, name="branch_propose"),
    path("branches/<int:pk>/feedback/", views.branch_feedback, name="branch_feedback"),
    path("appraisees/<int:pk>/peer/", views.peer_opinion, name="peer_opinion"),
    path("appraisees/<int:pk>/self/", views.self_assess, name="self_assess"),
    path("appraisees/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("me/", views.my, name="my"),
    path("results/", views.results, name="results"),
    path("cases/", views.cases, name="cases"),
    path("cases/open/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/step/", views.case_step, name="case_step"),
    path("lost-contact/", views.lost_contact, name="lost_contact"),
    path("lost-contact/<int:pk>/suspend/", views.suspend, name="suspend"),
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/", views.post, name="post"),
    path("posts/<int:pk>/assign/", views.post_assign, name="post_assign"),
    path("posts/<int:pk>/review/", views.post_review, name="post_review"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("post-assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/new/", views.supervision_new, name="supervision_new"),
    path("supervision/<int:pk>/", views.supervision_record, name="supervision_record"),
    path("supervision/<int:pk>/conclude/", views.supervision_conclude, name="supervision_conclude"),
]
