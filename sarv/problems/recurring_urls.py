"""Recurring-incident pages, under /problems/proposals/."""

from django.urls import path

from sarv.problems.views import recurring

app_name = "problem-proposals"

urlpatterns = [
    path("", recurring.proposal_list, name="list"),
    path("run/", recurring.run_detection, name="run"),
    path("settings/", recurring.policy_settings, name="settings"),
    path("<int:pk>/", recurring.proposal_detail, name="detail"),
    path("<int:pk>/accept/", recurring.proposal_accept, name="accept"),
    path("<int:pk>/dismiss/", recurring.proposal_dismiss, name="dismiss"),
]
