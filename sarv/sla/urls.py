"""Settings pages of service level management, under /settings/sla/."""

from django.urls import path

from sarv.sla import views

app_name = "sla"

urlpatterns = [
    path("", views.agreement_list, name="agreements"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/active/", views.agreement_toggle, name="agreement_toggle"),
    path("<int:pk>/move/<str:direction>/", views.agreement_move, name="agreement_move"),
    path("suppliers/", views.supplier_list, name="suppliers"),
    path("suppliers/new/", views.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/", views.supplier_edit, name="supplier_edit"),
]
