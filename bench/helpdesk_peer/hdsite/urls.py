from django.contrib import admin
from django.urls import include, path

# django-helpdesk's ticket page links to the admin, so the admin must be mounted.
urlpatterns = [path("admin/", admin.site.urls), path("", include("helpdesk.urls", namespace="helpdesk"))]
