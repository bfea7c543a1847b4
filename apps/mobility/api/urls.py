from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("mobility/transfers", views.TransferViewSet, basename="mobility-transfer")
router.register("mobility/mobile-records", views.MobileRecordViewSet, basename="mobility-mobile")
router.register("mobility/cards", views.CardViewSet, basename="mobility-card")
router.register("mobility/host-registrations", views.HostRegistrationViewSet, basename="mobility-host")
router.register("mobility/host-reports", views.HostReportViewSet, basename="mobility-hostreport")
router.register("mobility/temporary-branches", views.TemporaryBranchViewSet, basename="mobility-temporary")
router.register("mobility/contacts", views.ContactViewSet, basename="mobility-contact")
router.register("mobility/retired-branches", views.RetiredBranchViewSet, basename="mobility-retired")
router.register("mobility/unemployed-members", views.UnemployedMemberViewSet, basename="mobility-unemployed")
router.register("mobility/rules", views.RuleVersionViewSet, basename="mobility-rules")

urlpatterns = router.urls
