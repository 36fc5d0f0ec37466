"""Top-level URL map: pages, the requester portal, settings, the REST API and its locally served browser."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("sarv.core.urls")),
    path("accounts/", include("sarv.accounts.urls")),
    path("incidents/", include("sarv.incidents.urls")),
    path("", include("sarv.problems.known_error_urls")),
    path("portal/", include("sarv.incidents.portal_urls")),
    path("settings/calendars/", include("sarv.calendars.urls")),
    path("settings/sla/", include("sarv.sla.urls")),
    path("sla/reports/", include("sarv.sla.report_urls")),
    path("cmdb/", include("sarv.cmdb.urls")),
    path("problems/proposals/", include("sarv.problems.recurring_urls")),
    path("problems/reports/", include("sarv.problems.report_urls")),
    path("problems/", include("sarv.problems.urls")),
    path("my-work/", include("sarv.problems.work_urls")),
    path("settings/", include("sarv.core.settings_urls")),
    path("api/v1/", include("sarv.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]

# Error pages; under /api/ they return the API's JSON error body instead of HTML.
handler400 = "sarv.core.api.errors.bad_request"
handler403 = "sarv.core.api.errors.permission_denied"
handler404 = "sarv.core.api.errors.page_not_found"
handler500 = "sarv.core.api.errors.server_error"
