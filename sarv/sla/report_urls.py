"""SLA report pages, under /sla/reports/."""

from django.urls import path

from sarv.sla import report_views

app_name = "sla-reports"

urlpatterns = [
    path("", report_views.compliance, name="compliance"),
    path("breaches/", report_views.breaches, name="breaches"),
]
