from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("supervision/contacts", views.ContactAssignmentViewSet, basename="supervision-contact")
router.register("supervision/inspections", views.InspectionViewSet, basename="supervision-inspection")
router.register("supervision/rectifications", views.RectificationViewSet, basename="supervision-rectification")
router.register("supervision/reports", views.MonthlyReportViewSet, basename="supervision-report")
router.register("supervision/trainings", views.CadreTrainingViewSet, basename="supervision-training")

urlpatterns = [
    path("supervision/health/", views.HealthView.as_view(), name="supervision-health"),
    path("supervision/annual-stats/", views.AnnualStatsView.as_view(), name="supervision-annual-stats"),
    *router.urls,
]
