"""API routes of recurring-incident proposals, the detector settings and the problem reports."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from sarv.problems.api import recurring, reports

router = SimpleRouter()
router.register("problems/proposals", recurring.ProposalViewSet, basename="proposal")

urlpatterns = [
    path("problems/recurrence-policy/", recurring.PolicyView.as_view(), name="recurrence-policy"),
    path("problems/reports/status/", reports.StatusReportView.as_view(), name="report-status"),
    path("problems/reports/incidents/", reports.IncidentsReportView.as_view(), name="report-incidents"),
    path("problems/reports/workarounds/", reports.WorkaroundReportView.as_view(), name="report-workarounds"),
    path("problems/reports/known-errors/", reports.UsageReportView.as_view(), name="report-usage"),
    *router.urls,
]
