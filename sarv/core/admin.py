"""Django admin for developers' maintenance; day-to-day administration happens in Sarv's settings pages."""

from django.contrib import admin

from sarv.core.models import (
    Attachment,
    AuditLogEntry,
    Category,
    ExternalReference,
    ModuleSwitch,
    Notification,
    NumberSequence,
    PriorityMatrixCell,
    SavedView,
    ScheduledRun,
    TimelineEntry,
    Watcher,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only tables: visible to developers, never editable here."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "content_type", "object_id", "kind", "actor", "is_internal")
    list_filter = ("kind", "is_internal", "content_type")


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("timestamp", "actor", "ip_address", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")


admin.site.register(ScheduledRun, ReadOnlyAdmin)
admin.site.register([Attachment, Category, ExternalReference, ModuleSwitch, Notification, NumberSequence,
                     PriorityMatrixCell, SavedView, Watcher])
