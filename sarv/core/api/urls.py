from rest_framework.routers import SimpleRouter

from sarv.core.api import views

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")

urlpatterns = router.urls
