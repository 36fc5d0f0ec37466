"""Problem report pages, under /problems/reports/."""

from django.urls import path

from sarv.problems.views import reports

app_name = "problem-reports"

urlpatterns = [
    path("", reports.status_age, name="status"),
    path("incidents/", reports.incidents_per_problem, name="incidents"),
    path("workarounds/", reports.workaround_resolutions, name="workarounds"),
    path("known-errors/", reports.known_error_usage, name="usage"),
]
