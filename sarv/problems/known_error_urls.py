"""Known error pages under /known-errors/ and the incident page's problem panel under /incidents/<number>/problems/.

Both sit in the namespace "known-errors", which the module switch maps to problem management.
"""

from django.urls import include, path

from sarv.problems.views import known_errors

app_name = "known-errors"

urlpatterns = [
    path("known-errors/", known_errors.known_error_list, name="list"),
    path("known-errors/publish/<str:problem_number>/", known_errors.known_error_publish, name="publish"),
    path("known-errors/options/problems/", known_errors.problem_options, name="problem_options"),
    path("known-errors/<str:number>/", known_errors.known_error_detail, name="detail"),
    path("known-errors/<str:number>/update/", known_errors.known_error_update, name="update"),
    path("known-errors/<str:number>/retire/", known_errors.known_error_retire, name="retire"),
    path("incidents/<str:number>/problems/", include("sarv.problems.incident_urls")),
]
