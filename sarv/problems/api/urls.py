"""Problem API routes; included under the namespace "problems-api", which the module switch maps to problems."""

from rest_framework.routers import SimpleRouter

from sarv.problems.api import views

router = SimpleRouter()
router.register("problems", views.ProblemViewSet, basename="problem")

urlpatterns = router.urls
