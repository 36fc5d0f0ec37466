"""The import page: upload a CSV or Excel file, map its columns, read the dry-run report, then apply."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sarv.cmdb import actions, forms
from sarv.cmdb.importers import cis as importer
from sarv.cmdb.importers.tables import read_table
from sarv.cmdb.models import AttributeDefinition, ImportRun
from sarv.cmdb.views.common import acting_user, cmdb_manager_required, show_error
from sarv.core.errors import SarvError

logger = logging.getLogger(__name__)

# The report lists at most this many rows (rejected first); the counts cover every row.
REPORT_ROWS_SHOWN = 1000
FIELD_LABELS = {
    "name_fa": gettext_lazy("Name (Persian)"),
    "name_en": gettext_lazy("Name (English)"),
    "ci_class": gettext_lazy("Class"),
    "status": gettext_lazy("Status"),
    "environment": gettext_lazy("Environment"),
    "criticality": gettext_lazy("Criticality"),
    "property_number": gettext_lazy("Property number"),
    "serial_number": gettext_lazy("Serial number"),
    "asset_tag": gettext_lazy("Asset tag"),
    "hostname": gettext_lazy("Hostname"),
    "support_group": gettext_lazy("Support group"),
    "location": gettext_lazy("Location"),
    "holder": gettext_lazy("Holder"),
    "holder_department": gettext_lazy("Holder's department"),
    "description": gettext_lazy("Description"),
    "source": gettext_lazy("Source item"),
    "type": gettext_lazy("Relationship type"),
    "target": gettext_lazy("Target item"),
}


def _targets(kind: str) -> list[tuple[str, str]]:
    """Return the fields a column can fill: the CI fields and every attribute code, or the relationship columns."""
    if kind == ImportRun.KIND_RELATIONSHIPS:
        return [(name, str(FIELD_LABELS.get(name, name))) for name in importer.RELATIONSHIP_COLUMNS]
    targets = [(name, str(FIELD_LABELS.get(name, name))) for name in importer.CI_COLUMNS]
    seen: set[str] = set()
    for definition in AttributeDefinition.objects.filter(is_active=True).select_related("ci_class").order_by(
            "ci_class__path", "sort_order", "pk"):
        if definition.code in seen:
            continue
        seen.add(definition.code)
        label = _("Attribute: %(name)s (%(class)s)") % {"name": definition.name, "class": definition.ci_class.name}
        targets.append((importer.ATTRIBUTE_PREFIX + definition.code, label))
    return targets


@cmdb_manager_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = forms.ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = actions.upload_import(actor=acting_user(request), kind=form.cleaned_data["kind"],
                                            file_name=upload.name, content=upload.read())
            except SarvError as error:
                show_error(form, error)
                status = error.status_code
            else:
                return redirect("cmdb:import_review", run_id=run.pk)
    recent = ImportRun.objects.select_related("created_by").defer("content")[:10]
    return render(request, "cmdb/import_upload.html", {
        "nav": "cmdb", "form": form, "recent": recent, "can_manage": True,
        "ci_columns": importer.CI_COLUMNS, "relationship_columns": importer.RELATIONSHIP_COLUMNS,
    }, status=status)


def _report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(report.get("rows") or [])
    rows.sort(key=lambda row: (row.get("outcome") != "rejected", row.get("row", 0)))
    return rows[:REPORT_ROWS_SHOWN]


@cmdb_manager_required
def import_review(request: HttpRequest, run_id: int) -> HttpResponse:
    """Map the columns and dry-run (POST "dry_run"), or apply the last dry run (POST "apply")."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    try:
        header, rows = read_table(run.file_name, bytes(run.content))
    except SarvError as error:
        messages.error(request, error.message)
        return redirect("cmdb:import")
    columns = importer.RELATIONSHIP_COLUMNS if run.kind == ImportRun.KIND_RELATIONSHIPS else importer.CI_COLUMNS
    mapping = run.mapping or importer.guess_mapping(header, columns)
    targets = _targets(run.kind)
    known = {target for target, _label in targets}
    targets += [(target, target) for target in mapping if target not in known]
    form = forms.ImportMappingForm(request.POST or None, targets=targets, header=header, mapping=mapping)
    status = 200
    if request.method == "POST":
        status = 400
        actor = acting_user(request)
        try:
            if "apply" in request.POST:
                report = importer.apply_import(actor=actor, run=run)
                messages.success(request, _("Import applied: %(created)s created, %(updated)s updated, "
                                            "%(rejected)s rejected.") % {
                    "created": report.count("created"), "updated": report.count("updated"),
                    "rejected": report.count("rejected")})
                return redirect("cmdb:import_review", run_id=run.pk)
            if form.is_valid():
                actions.dry_run_import(actor=actor, run=run, mapping=form.mapping())
                return redirect("cmdb:import_review", run_id=run.pk)
        except SarvError as error:
            logger.info("CMDB import %s rejected for user %s: %s", run.pk, actor.pk, error.code)
            form.add_error(None, error.message)
            status = error.status_code
    summary: dict[str, Any] = run.report or {}
    return render(request, "cmdb/import_review.html", {
        "nav": "cmdb", "run": run, "form": form, "header": header, "row_count": len(rows),
        "sample": rows[:3], "report": summary, "report_rows": _report_rows(summary),
        "shown_limit": REPORT_ROWS_SHOWN, "can_manage": True,
    }, status=status)
