from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

api_patterns = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.orgs.api.urls")),
    path("", include("apps.members.api.urls")),
    path("", include("apps.recruitment.api.urls")),
    path("", include("apps.dues.api.urls")),
    path("", include("apps.orglife.api.urls")),
    path("", include("apps.education.api.urls")),
    path("", include("apps.appraisal.api.urls")),
    path("", include("apps.care.api.urls")),
    path("", include("apps.democracy.api.urls")),
    path("", include("apps.excel.api.urls")),
    path("", include("apps.stats.api.urls")),
    path("", include("apps.mobility.api.urls")),
    path("", include("apps.supervision.api.urls")),
]

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("orgs/", include("apps.orgs.urls")),
    path("members/", include("apps.members.urls")),
    path("recruitment/", include("apps.recruitment.urls")),
    path("dues/", include("apps.dues.urls")),
    path("orglife/", include("apps.orglife.urls")),
    path("education/", include("apps.education.urls")),
    path("appraisal/", include("apps.appraisal.urls")),
    path("care/", include("apps.care.urls")),
    path("democracy/", include("apps.democracy.urls")),
    path("excel/", include("apps.excel.urls")),
    path("stats/", include("apps.stats.urls")),
    path("mobility/", include("apps.mobility.urls")),
    path("supervision/", include("apps.supervision.urls")),
    path("api/", include(api_patterns)),
    # The API's description is for signed-in users only (every setting, production included).
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[IsAuthenticated])),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

admin.site.site_header = "dangjian 党员教育管理平台 · 运维后台"
admin.site.site_title = "dangjian 运维后台"
