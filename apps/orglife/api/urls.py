from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("orglife/meetings", views.MeetingViewSet, basename="orglife-meeting")
router.register("orglife/exclusions", views.ExclusionViewSet, basename="orglife-exclusion")
router.register("orglife/cases", views.AbsenceCaseViewSet, basename="orglife-case")

urlpatterns = [
    path("orglife/lagging/", views.LaggingListView.as_view(), name="orglife-lagging"),
    path("orglife/absences/", views.AbsenceListView.as_view(), name="orglife-absences"),
    path("orglife/report/", views.ComplianceReportView.as_view(), name="orglife-report"),
    *router.urls,
]
