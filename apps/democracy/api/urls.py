from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("democracy/feedback", views.FeedbackViewSet, basename="democracy-feedback")
router.register("democracy/notices", views.NoticeViewSet, basename="democracy-notice")
router.register("democracy/consultations", views.ConsultationViewSet, basename="democracy-consultation")
router.register("democracy/decisions", views.DecisionViewSet, basename="democracy-decision")
router.register("democracy/rectifications", views.RectificationViewSet, basename="democracy-rectification")

urlpatterns = router.urls
