from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("terms/", views.terms, name="terms"),
    path("picker/", views.picker, name="picker"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:parent_pk>/new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("<int:pk>/committee/add/", views.seat_add, name="seat_add"),
    path("committee/<int:seat_pk>/end/", views.seat_end, name="seat_end"),
]
