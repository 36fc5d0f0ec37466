from django.contrib import admin

from sarv.incidents.models import Incident, IncidentPolicy, ResolutionCode


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read-mostly view for developers: changes to incidents belong to sarv.incidents.actions."""

    list_display = ("number", "title", "status", "priority", "assigned_group", "assignee", "created_at")
    list_filter = ("status", "priority")
    search_fields = ("number", "title")
    raw_id_fields = ("requester", "assignee", "created_by", "resolved_by", "parent", "category", "subcategory")
    readonly_fields = ("number", "version", "search_key")


admin.site.register([IncidentPolicy, ResolutionCode])
