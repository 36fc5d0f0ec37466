from django.urls import path

from sarv.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
    path("notifications/", views.notifications, name="notifications"),
    path("attachments/<uuid:public_id>/", views.attachment_download, name="attachment"),
]
