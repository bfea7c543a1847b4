from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("dues/lines", views.DuesLineViewSet, basename="dues-line")
router.register("dues/payments", views.PaymentViewSet, basename="dues-payment")
router.register("dues/declarations", views.DeclarationViewSet, basename="dues-declaration")
router.register("dues/arrears-cases", views.ArrearsCaseViewSet, basename="dues-arrears-case")
router.register("dues/collections", views.CollectionViewSet, basename="dues-collection")

urlpatterns = [
    path("dues/arrears/", views.ArrearsListView.as_view(), name="dues-arrears"),
    path("dues/generate/", views.GenerateView.as_view(), name="dues-generate"),
    *router.urls,
]
