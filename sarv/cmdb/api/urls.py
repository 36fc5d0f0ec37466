"""CMDB API routes under /api/v1/cmdb/; included under the namespace "cmdb-api" (the module switch maps it)."""

from rest_framework.routers import SimpleRouter

from sarv.cmdb.api import views

router = SimpleRouter()
router.register("cmdb/classes", views.CIClassViewSet, basename="class")
router.register("cmdb/attributes", views.AttributeDefinitionViewSet, basename="attribute")
router.register("cmdb/relationship-types", views.RelationshipTypeViewSet, basename="relationship-type")
router.register("cmdb/cis", views.CIViewSet, basename="ci")
router.register("cmdb/relationships", views.RelationshipViewSet, basename="relationship")
router.register("cmdb/imports", views.ImportViewSet, basename="import")

urlpatterns = router.urls
