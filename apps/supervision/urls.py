from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("checklist/", views.checklist, name="checklist"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/self-check/", views.selfcheck_new, name="selfcheck_new"),
    path("inspections/spot-check/", views.spotcheck_new, name="spotcheck_new"),
    path("inspections/evaluate/", views.evaluate, name="evaluate"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/rectify/", views.rectify, name="rectify"),
    path("ranking/", views.ranking, name="ranking"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/done/", views.rectification_done, name="rectification_done"),
    path("health/", views.health, name="health"),
    path("reports/", views.reports, name="reports"),
    path("report/", views.report, name="report"),
    path("points/", views.points, name="points"),
    path("points/<int:pk>/", views.point, name="point"),
    path("points/<int:pk>/review/", views.point_review, name="point_review"),
    path("points/progress/<int:pk>/material/", views.point_material, name="point_material"),
    path("instructors/", views.instructors, name="instructors"),
    path("staffing/", views.staffing, name="staffing"),
    path("instructors/<int:pk>/", views.instructor, name="instructor"),
    path("annual/", views.annual_stats, name="annual"),
    path("trainings/", views.trainings, name="trainings"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("screen/", views.screen, name="screen"),
    path("annual/export/", views.annual_export, name="annual_export"),
]
