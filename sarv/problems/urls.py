"""Problem pages: the list, raising a problem, the problem page and its quick actions."""

from django.urls import path

from sarv.problems.views import detail, workspace

app_name = "problems"

urlpatterns = [
    path("", workspace.problem_list, name="list"),
    path("new/", workspace.problem_create, name="create"),
    # The number may arrive with Persian digits; the page redirects to the canonical form.
    path("<str:number>/", detail.problem_detail, name="detail"),
    *[
        path(f"<str:number>/{action}/", detail.problem_action, {"action": action}, name=action)
        for action in detail.QUICK_ACTIONS
    ],
]
