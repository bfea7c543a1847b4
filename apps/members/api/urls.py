from rest_framework.routers import DefaultRouter

from .views import MemberViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("members", MemberViewSet, basename="member")
urlpatterns = router.urls
