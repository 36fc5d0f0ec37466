"""The REST API under /api/v1/: each app's routes under its own namespace.

The module switch middleware maps namespaces to modules, so switching a
module off returns 404 for its API as for its pages.
"""

from django.urls import include, path

urlpatterns = [
    path("", include(("sarv.accounts.api.urls", "accounts-api"))),
    path("", include(("sarv.core.api.urls", "core-api"))),
    path("", include(("sarv.services.api.urls", "services-api"))),
    path("", include(("sarv.incidents.api.urls", "incidents-api"))),
    path("", include(("sarv.calendars.api.urls", "calendars-api"))),
    path("", include(("sarv.sla.api.urls", "sla-api"))),
    path("", include(("sarv.cmdb.api.urls", "cmdb-api"))),
    path("", include(("sarv.problems.api.recurring_urls", "problem-recurring-api"))),
    path("", include(("sarv.problems.api.urls", "problems-api"))),
    path("", include(("sarv.problems.api.known_error_urls", "known-errors-api"))),
]
