from django.urls import path
from rest_framework.routers import SimpleRouter

from sarv.sla.api import reports, views

router = SimpleRouter()
router.register("sla/agreements", views.AgreementViewSet, basename="agreement")

urlpatterns = [
    *router.urls,
    path("sla/clocks/<str:number>/", views.RecordClocksView.as_view(), name="record-clocks"),
    path("sla/reports/compliance/", reports.ComplianceView.as_view(), name="report-compliance"),
    path("sla/reports/breaches/", reports.BreachListView.as_view(), name="report-breaches"),
]
