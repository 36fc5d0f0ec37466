"""URLs of the Settings area (/settings/), the administrators' pages."""

from django.urls import path

from sarv.core.settings_views import audit_log, catalogue, groups, index, organisation, processes, users

app_name = "settings"

urlpatterns = [
    path("", index.index, name="index"),
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", users.user_password, name="user_password"),
    path("users/<int:pk>/active/", users.user_set_active, name="user_set_active"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<int:pk>/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/members/", groups.group_members, name="group_members"),
    path("groups/<int:pk>/members/<int:user_pk>/remove/", groups.group_member_remove, name="group_member_remove"),
    path("departments/", organisation.department_list, name="departments"),
    path("departments/new/", organisation.department_create, name="department_create"),
    path("departments/<int:pk>/", organisation.department_edit, name="department_edit"),
    path("locations/", organisation.location_list, name="locations"),
    path("locations/new/", organisation.location_create, name="location_create"),
    path("locations/<int:pk>/", organisation.location_edit, name="location_edit"),
    path("categories/", catalogue.category_list, name="categories"),
    path("categories/new/", catalogue.category_create, name="category_create"),
    path("categories/<int:pk>/", catalogue.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", catalogue.category_delete, name="category_delete"),
    path("services/", catalogue.service_list, name="services"),
    path("services/new/", catalogue.service_create, name="service_create"),
    path("services/<int:pk>/", catalogue.service_edit, name="service_edit"),
    path("priority-matrix/", processes.priority_matrix, name="priority_matrix"),
    path("modules/", processes.module_list, name="modules"),
    path("modules/<slug:code>/", processes.module_toggle, name="module_toggle"),
    path("incidents/", processes.incident_process, name="incident_process"),
    path("incidents/resolution-codes/new/", processes.resolution_code_create, name="resolution_code_create"),
    path("incidents/resolution-codes/<int:pk>/", processes.resolution_code_edit, name="resolution_code_edit"),
    path("incidents/resolution-codes/<int:pk>/active/", processes.resolution_code_toggle,
         name="resolution_code_toggle"),
    path("audit-log/", audit_log.audit_log, name="audit_log"),
]
