from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("appraisal/campaigns", views.CampaignViewSet, basename="appraisal-campaign")
router.register("appraisal/branches", views.BranchAppraisalViewSet, basename="appraisal-branch")
router.register("appraisal/cases", views.HandlingCaseViewSet, basename="appraisal-case")
router.register("appraisal/posts", views.PostViewSet, basename="appraisal-post")
router.register("appraisal/supervision", views.SupervisionRecordViewSet, basename="appraisal-supervision")
router.register("appraisal/goals", views.GoalSheetViewSet, basename="appraisal-goal")
router.register("appraisal/talents", views.TalentViewSet, basename="appraisal-talent")

urlpatterns = [
    path("appraisal/results/", views.ResultsView.as_view(), name="appraisal-results"),
    *router.urls,
]
