from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("care/visits", views.VisitViewSet, basename="care-visit")
router.register("care/hardships", views.HardshipViewSet, basename="care-hardship")
router.register("care/pairings", views.PairingViewSet, basename="care-pairing")
router.register("care/funds", views.FundViewSet, basename="care-fund")
router.register("care/fund-applications", views.FundApplicationViewSet, basename="care-fundapplication")
router.register("care/nominations", views.NominationViewSet, basename="care-nomination")
router.register("care/households", views.HouseholdViewSet, basename="care-household")

urlpatterns = router.urls
