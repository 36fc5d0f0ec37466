"""Known error API routes; included under the namespace "known-errors-api", which the module switch maps to
problem management."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from sarv.problems.api import known_errors

router = SimpleRouter()
router.register("known-errors", known_errors.KnownErrorViewSet, basename="known-error")

incident_side = known_errors.IncidentProblemsViewSet

urlpatterns = [
    *router.urls,
    path("incidents/<str:number>/known-error-suggestions/", incident_side.as_view({"get": "suggestions"}),
         name="incident-known-error-suggestions"),
    path("incidents/<str:number>/problems/", incident_side.as_view({"get": "problems", "post": "problems"}),
         name="incident-problems"),
    path("incidents/<str:number>/known-errors/", incident_side.as_view({"post": "known_errors"}),
         name="incident-known-errors"),
    path("incidents/<str:number>/problems/<str:problem_number>/apply-workaround/",
         incident_side.as_view({"post": "apply_workaround"}), name="incident-apply-workaround"),
]
