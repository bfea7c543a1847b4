from django.urls import path

from .views import PartyStatisticsView

urlpatterns = [
    path("stats/party/", PartyStatisticsView.as_view(), name="stats-party"),
]
