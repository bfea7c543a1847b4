from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("generate/", views.generate, name="generate"),
    path("export/", views.export, name="export"),
    path("lines/<int:pk>/pay/", views.pay, name="pay"),
    path("lines/<int:pk>/pay-form/", views.pay_form, name="pay_form"),
    path("lines/<int:pk>/paid-elsewhere/", views.paid_elsewhere, name="paid_elsewhere"),
    path("me/", views.my_dues, name="my"),
    path("members/<int:pk>/", views.member, name="member"),
    path("arrears/", views.arrears, name="arrears"),
    path("arrears/<int:pk>/", views.arrears_case, name="arrears_case"),
    path("reductions/", views.reductions, name="reductions"),
    path("reductions/<int:pk>/decide/", views.decide_reduction, name="decide_reduction"),
    path("collections/", views.collections, name="collections"),
    path("collections/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("remittance/", views.remittance, name="remittance"),
    path("disclosure/", views.disclosure, name="disclosure"),
]
