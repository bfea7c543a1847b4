from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/follow-up/", views.visit_follow_up, name="visit_follow_up"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/generate/", views.checklist_generate, name="checklist_generate"),
    path("checklist/done/", views.checklist_done, name="checklist_done"),
    path("hardships/", views.hardships, name="hardships"),
    path("hardships/new/", views.hardship_new, name="hardship_new"),
    path("hardships/<int:pk>/", views.hardship, name="hardship"),
    path("hardships/<int:pk>/close/", views.hardship_close, name="hardship_close"),
    path("hardships/<int:pk>/pairing/", views.pairing_new, name="pairing_new"),
    path("pairings/", views.pairings, name="pairings"),
    path("pairings/<int:pk>/update/", views.pairing_update, name="pairing_update"),
    path("pairings/<int:pk>/close/", views.pairing_close, name="pairing_close"),
    path("funds/", views.funds, name="funds"),
    path("funds/new/", views.fund_new, name="fund_new"),
    path("funds/<int:pk>/", views.fund, name="fund"),
    path("funds/<int:pk>/income/", views.fund_income, name="fund_income"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("applications/<int:pk>/pay/", views.application_pay, name="application_pay"),
    path("subsidies/", views.subsidies, name="subsidies"),
    path("subsidies/pay/", views.subsidy_pay, name="subsidy_pay"),
    path("subsidies/rate/", views.subsidy_rate, name="subsidy_rate"),
]
urlpatterns += [
    path("nominations/", views.nominations, name="nominations"),
    path("nominations/new/", views.nomination_new, name="nomination_new"),
    path("nominations/<int:pk>/", views.nomination, name="nomination"),
    path("nominations/<int:pk>/notice/", views.nomination_notice, name="nomination_notice"),
    path("nominations/<int:pk>/decide/", views.nomination_decide, name="nomination_decide"),
    path("honour-roll/", views.honour_roll, name="honour_roll"),
    path("my-awards/", views.my_awards, name="my_awards"),
    path("cadres/", views.cadres, name="cadres"),
    path("households/", views.households, name="households"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/end/", views.household_end, name="household_end"),
    path("my-households/", views.my_households, name="my_households"),
    path("occasions/", views.occasions, name="occasions"),
    path("occasions/edit/", views.occasion_edit, name="occasion_edit"),
]
