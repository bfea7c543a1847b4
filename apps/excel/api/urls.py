from rest_framework.routers import SimpleRouter

from .views import ExportJobViewSet, ImportJobViewSet

router = SimpleRouter()
router.register("imports", ImportJobViewSet, basename="import-job")
router.register("exports", ExportJobViewSet, basename="export-job")
urlpatterns = router.urls
