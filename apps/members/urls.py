from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.create, name="create"),
    path("me/", views.me, name="me"),
    path("requests/", views.change_requests, name="change_requests"),
    path("picker/", views.picker, name="picker"),
    path("requests/<int:pk>/decide/", views.decide_request, name="decide_request"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/discipline/", views.discipline, name="discipline"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
