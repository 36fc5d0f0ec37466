"""Agent workspace URLs: the list, registering, bulk updates, saved views, the incident page and its actions."""

from django.urls import path

from sarv.incidents.views import common, detail, workspace

app_name = "incidents"

urlpatterns = [
    path("", workspace.incident_list, name="list"),
    path("new/", workspace.incident_create, name="create"),
    path("bulk/", workspace.bulk_update, name="bulk"),
    path("views/save/", workspace.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", workspace.delete_view, name="delete_view"),
    path("options/subcategories/", common.subcategory_options, name="subcategory_options"),
    path("options/agents/", common.agent_options, name="agent_options"),
    path("options/people/", common.user_options, name="user_options"),
    # The number may arrive with Persian digits; the page redirects to the canonical form.
    path("<str:number>/", detail.incident_detail, name="detail"),
    *[
        path(f"<str:number>/{action}/", detail.incident_action, {"action": action}, name=action)
        for action in detail.QUICK_ACTIONS
    ],
]
