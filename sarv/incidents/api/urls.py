"""Incident API routes; included under the namespace "incidents-api", which the module switch maps to incidents."""

from rest_framework.routers import SimpleRouter

from sarv.incidents.api import views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("resolution-codes", views.ResolutionCodeViewSet, basename="resolution-code")

urlpatterns = router.urls
