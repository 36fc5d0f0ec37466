"""The agent's combined work queue (incidents and problems); it is not tied to one module's switch."""

from django.urls import path

from sarv.problems.views import my_work

app_name = "my-work"

urlpatterns = [
    path("", my_work.my_work, name="queue"),
]
