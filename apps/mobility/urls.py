from django.urls import path

from . import views

app_name = "mobility"

urlpatterns = [
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/new/", views.transfer_new, name="transfer_new"),
    path("transfers/arrival/", views.arrival, name="arrival"),
    path("transfers/<int:pk>/", views.transfer, name="transfer"),
    path("transfers/<int:pk>/act/", views.transfer_act, name="transfer_act"),
    path("transfers/<int:pk>/letter.pdf", views.transfer_letter, name="transfer_letter"),
    path("my/", views.my, name="my"),
    path("mobile/", views.mobile, name="mobile"),
    path("mobile/new/", views.mobile_new, name="mobile_new"),
    path("mobile/<int:pk>/", views.mobile_record, name="mobile_record"),
    path("mobile/<int:pk>/act/", views.mobile_act, name="mobile_act"),
    path("mobile/certificate/<int:member_pk>.pdf", views.certificate, name="certificate"),
    path("host/", views.host, name="host"),
    path("host/<int:pk>/", views.host_registration, name="host_registration"),
    path("temporary/", views.temporary, name="temporary"),
    path("temporary/<int:pk>/", views.temporary_branch, name="temporary_branch"),
    path("rules/", views.rules_page, name="rules"),
    path("registers/", views.registers, name="registers"),
]
