from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("education/entries", views.StudyEntryViewSet, basename="education-entry")
router.register("education/classes", views.TrainingClassViewSet, basename="education-class")

urlpatterns = [
    path("education/progress/", views.ProgressListView.as_view(), name="education-progress"),
    *router.urls,
]
