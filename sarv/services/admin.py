from django.contrib import admin

from sarv.services.models import Service

admin.site.register(Service)
