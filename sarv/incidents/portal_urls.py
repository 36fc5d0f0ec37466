"""Requester portal URLs: my requests, reporting an incident, and the requester's incident page with its actions."""

from django.urls import path

from sarv.incidents.views import common, portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("new/", portal.create, name="create"),
    path("options/subcategories/", common.subcategory_options, name="subcategory_options"),
    path("<str:number>/", portal.incident_page, name="incident"),
    *[
        path(f"<str:number>/{action}/", portal.incident_action, {"action": action}, name=action)
        for action in portal.PORTAL_ACTIONS
    ],
]
