from rest_framework.routers import DefaultRouter

from .views import OrganisationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("orgs", OrganisationViewSet, basename="org")
urlpatterns = router.urls
