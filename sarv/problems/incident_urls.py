"""The incident page's problem panel: its forms post here, under /incidents/<number>/problems/."""

from django.urls import path

from sarv.problems.views import incident_panel

urlpatterns = [
    path("link/", incident_panel.link_problem, name="incident_link_problem"),
    path("known-error/", incident_panel.link_known_error, name="incident_link_known_error"),
    path("<str:problem_number>/apply-workaround/", incident_panel.apply_workaround,
         name="incident_apply_workaround"),
]
