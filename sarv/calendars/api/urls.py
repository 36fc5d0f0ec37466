from django.urls import path
from rest_framework.routers import SimpleRouter

from sarv.calendars.api import views

router = SimpleRouter()
# The nested prefixes come first, so "calendars/holidays/" is not read as a calendar id.
router.register("calendars/hour-sets", views.HourSetViewSet, basename="calendar-hour-set")
router.register("calendars/holidays", views.HolidayViewSet, basename="calendar-holiday")
router.register("calendars/closures", views.ClosureViewSet, basename="calendar-closure")
router.register("calendars", views.CalendarViewSet, basename="calendar")

urlpatterns = [
    path("calendars/preview/", views.PreviewView.as_view(), name="calendar-preview"),
    *router.urls,
]
