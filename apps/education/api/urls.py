from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("education/entries", views.StudyEntryViewSet, basename="education-entry")
router.register("education/classes", views.TrainingClassViewSet, basename="education-class")
router.register("education/questions", views.QuestionViewSet, basename="education-question")
router.register("education/quizzes", views.QuizViewSet, basename="education-quiz")
router.register("education/my-quizzes", views.MyQuizViewSet, basename="education-my-quiz")
router.register("education/attempts", views.AttemptViewSet, basename="education-attempt")
router.register("education/plans", views.EducationPlanViewSet, basename="education-plan")
router.register("education/venues", views.VenueViewSet, basename="education-venue")
router.register("education/courseware", views.CoursewareViewSet, basename="education-courseware")
router.register("education/joint-meetings", views.JointMeetingViewSet, basename="education-joint-meeting")

urlpatterns = [
    path("education/progress/", views.ProgressListView.as_view(), name="education-progress"),
    path("education/plan-items/", views.PlanItemListView.as_view(), name="education-plan-items"),
    *router.urls,
]
