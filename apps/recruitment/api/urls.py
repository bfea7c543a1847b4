from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("recruitment/files", views.FileViewSet, basename="recruitment-file")
router.register("recruitment/votes", views.VoteViewSet, basename="recruitment-vote")
router.register("recruitment/notices", views.NoticeViewSet, basename="recruitment-notice")
router.register("recruitment/plans", views.PlanViewSet, basename="recruitment-plan")

urlpatterns = [
    *router.urls,
    path("recruitment/reports/monthly/", views.MonthlyReportView.as_view(), name="recruitment-monthly-report"),
]
