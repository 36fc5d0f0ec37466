"""Pages of the calendars app, in the Settings area (/settings/calendars/)."""

from django.urls import path

from sarv.calendars.views import calendars, closures, common, holidays, preview

app_name = "calendars"

urlpatterns = [
    path("", calendars.calendar_list, name="list"),
    path("new/", calendars.calendar_create, name="create"),
    path("<int:pk>/", calendars.calendar_edit, name="edit"),
    path("versions/<int:pk>/delete/", calendars.version_delete, name="version_delete"),
    path("<int:pk>/hour-sets/new/", calendars.hour_set_create, name="hour_set_create"),
    path("hour-sets/<int:pk>/", calendars.hour_set_edit, name="hour_set_edit"),
    path("hour-sets/<int:pk>/delete/", calendars.hour_set_delete, name="hour_set_delete"),
    path("holidays/", holidays.holiday_list, name="holidays"),
    path("holidays/new/", holidays.holiday_create, name="holiday_create"),
    path("holidays/import/", holidays.holiday_import, name="holiday_import"),
    path("holidays/export/", holidays.holiday_export, name="holiday_export"),
    path("holidays/copy/", holidays.holiday_set_copy, name="holiday_set_copy"),
    path("holidays/<int:pk>/", holidays.holiday_edit, name="holiday_edit"),
    path("holidays/<int:pk>/confirm/", holidays.holiday_confirm, name="holiday_confirm"),
    path("holidays/<int:pk>/delete/", holidays.holiday_delete, name="holiday_delete"),
    path("closures/", closures.closure_list, name="closures"),
    path("closures/<int:pk>/reverse/", closures.closure_reverse, name="closure_reverse"),
    path("preview/", preview.preview, name="preview"),
    path("changed/", common.moved_result, name="moved"),
    path("changed/status/", common.moved_status, name="moved_status"),
]
