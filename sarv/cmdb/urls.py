"""CMDB page URLs: CI list and page, forms, impact table, import, export, classes, attributes, relationship types."""

from django.urls import path

from sarv.cmdb.views import cis, classes, detail, edit, imports

app_name = "cmdb"

urlpatterns = [
    path("", cis.ci_list, name="list"),
    path("export/", cis.ci_export, name="export"),
    path("cis/new/", edit.ci_create, name="ci_create"),
    path("cis/<int:pk>/", detail.ci_detail, name="ci"),
    path("cis/<int:pk>/edit/", edit.ci_edit, name="ci_edit"),
    path("cis/<int:pk>/impact/", detail.impact_table, name="impact_table"),
    path("cis/<int:pk>/relationships/add/", edit.relationship_add, name="relationship_add"),
    path("cis/<int:pk>/relationships/<int:relationship_id>/end/", edit.relationship_end, name="relationship_end"),
    path("options/cis/", edit.ci_options, name="ci_options"),
    path("options/attributes/", edit.attribute_fields, name="attribute_fields"),
    path("options/suggestions/", edit.incident_suggestions, name="incident_suggestions"),
    path("import/", imports.import_upload, name="import"),
    path("import/<int:run_id>/", imports.import_review, name="import_review"),
    path("classes/", classes.class_list, name="classes"),
    path("classes/new/", classes.class_create, name="class_create"),
    path("classes/<int:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<int:pk>/attributes/new/", classes.attribute_edit, name="attribute_create"),
    path("classes/<int:pk>/attributes/<int:attribute_id>/", classes.attribute_edit, name="attribute_edit"),
    path("relationship-types/", classes.relationship_type_list, name="relationship_types"),
    path("relationship-types/new/", classes.relationship_type_create, name="relationship_type_create"),
    path("relationship-types/<slug:code>/", classes.relationship_type_detail, name="relationship_type"),
    path("relationship-types/<slug:code>/rules/", classes.relationship_rule_add, name="relationship_rule_add"),
    path("relationship-types/<slug:code>/rules/<int:rule_id>/remove/", classes.relationship_rule_remove,
         name="relationship_rule_remove"),
]
