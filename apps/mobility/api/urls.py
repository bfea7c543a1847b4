from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("mobility/transfers", views.TransferViewSet, basename="mobility-transfer")
router.register("mobility/mobile-records", views.MobileRecordViewSet, basename="mobility-mobile")

urlpatterns = router.urls
