from rest_framework.routers import SimpleRouter

from sarv.services.api import views

router = SimpleRouter()
router.register("services", views.ServiceViewSet, basename="service")

urlpatterns = router.urls
